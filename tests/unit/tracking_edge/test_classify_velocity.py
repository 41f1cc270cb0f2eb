"""Cross-message velocity: the tracker, and the rule through the Classifier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.tracking_edge.domain.classify import HitFeatures, HitHistory
from services.tracking_edge.domain.classify.velocity import AddressVelocity
from tests.unit.tracking_edge.classifying import shared_classifier

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


def test_counts_distinct_messages_within_the_window() -> None:
    velocity = AddressVelocity(window=timedelta(seconds=10))
    counts = [
        velocity.observe("198.51.100.7", f"m{i}", AT + timedelta(seconds=i)) for i in range(6)
    ]
    assert counts == [1, 2, 3, 4, 5, 6]
    assert velocity.observe("198.51.100.7", "m0", AT + timedelta(seconds=6)) == 6  # same copy
    assert velocity.observe("198.51.100.8", "m0", AT) == 1  # another address
    assert velocity.observe("198.51.100.7", "m9", AT + timedelta(seconds=60)) == 1  # later


def test_memory_is_bounded() -> None:
    velocity = AddressVelocity(max_addresses=3, max_hits_per_address=4)
    for i in range(10):
        velocity.observe(f"198.51.100.{i}", "m", AT)
        velocity.observe("203.0.113.1", f"m{i}", AT)
    assert len(velocity._recent) <= 4
    assert velocity.observe("203.0.113.1", "new", AT) <= 4


def click(kind: str = "click", ua: str = CHROME, method: str = "GET") -> HitFeatures:
    return HitFeatures(
        kind=kind,  # type: ignore[arg-type]  # test data: an enum value as int or str
        http_method=method,
        user_agent=ua,
        client_ip="81.2.69.142",
        received_at=AT + timedelta(hours=1),
        sent_at=AT,
        headers={"Accept-Language": "en"},
    )


def test_many_recipients_messages_from_one_address_is_a_scanner() -> None:
    verdict = shared_classifier().classify(click(), HitHistory((), address_messages=8))
    assert verdict.source == "security_scanner"
    assert "ip_velocity:8_messages" in verdict.reasons


def test_velocity_spares_readers_opens_and_one_click_unsubscribes() -> None:
    classifier = shared_classifier()
    assert classifier.classify(click(), HitHistory((), address_messages=2)).source == "human"
    opens = classifier.classify(click("open"), HitHistory((), address_messages=50))
    assert opens.source == "human"
    one_click = click("unsubscribe", method="POST")
    assert classifier.classify(one_click, HitHistory((), address_messages=50)).source == "human"
