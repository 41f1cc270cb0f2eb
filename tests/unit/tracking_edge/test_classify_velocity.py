"""Cross-message velocity: the tracker, and the rule through the Classifier."""

from __future__ import annotations

import random
from collections import OrderedDict, deque
from datetime import UTC, datetime, timedelta

import pytest

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


def test_an_address_seen_once_keeps_its_hit_without_a_deque() -> None:
    velocity = AddressVelocity()
    velocity.observe("198.51.100.1", "m1", AT)
    assert velocity._recent["198.51.100.1"] == (AT, "m1")  # most addresses: ~600 bytes less
    assert velocity.observe("198.51.100.1", "m2", AT + timedelta(seconds=1)) == 2
    assert velocity._recent["198.51.100.1"] == deque(
        [(AT, "m1"), (AT + timedelta(seconds=1), "m2")]
    )


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


class ReferenceVelocity:
    """The straightforward count: every kept hit of the address looked at for each hit."""

    def __init__(self, window: timedelta, max_addresses: int, max_hits: int) -> None:
        self.window = window
        self.max_addresses = max_addresses
        self.max_hits = max_hits
        self.recent: OrderedDict[str, deque[tuple[datetime, str]]] = OrderedDict()

    def observe(self, address: str, message: str, at: datetime) -> int:
        if not address:
            return 1
        hits = self.recent.get(address)
        if hits is None:
            hits = self.recent[address] = deque(maxlen=self.max_hits)
            if len(self.recent) > self.max_addresses:
                self.recent.popitem(last=False)
        else:
            self.recent.move_to_end(address)
        hits.append((at, message))
        if len(hits) == 1:
            return 1
        start = at - self.window
        while hits[0][0] < start - self.window:
            hits.popleft()
        return len({m for when, m in hits if start <= when <= at})


def random_stream(
    rng: random.Random, hits: int, addresses: int, messages: int, jitter_s: float, gap_s: float
) -> list[tuple[str, str, datetime]]:
    """Hits drawn at random, their times advancing by up to ``gap_s`` (now and then a jump
    past the window) and moved back by up to ``jitter_s`` (out of order when > 0). Times are
    whole tenths of a second, so that hits fall on the window's edges too."""
    tenths = 0
    stream = []
    for _ in range(hits):
        tenths += rng.randint(0, round(gap_s * 10))
        if rng.random() < 0.01:
            tenths += rng.randint(100, 400)
        back = rng.randint(0, round(jitter_s * 10)) if rng.random() < 0.3 else 0
        at = AT + timedelta(seconds=(tenths - back) / 10)
        address = f"198.51.100.{rng.randrange(addresses)}" if rng.random() < 0.98 else ""
        stream.append((address, f"m{rng.randrange(messages)}", at))
    return stream


@pytest.mark.parametrize("jitter_s", [0.0, 0.5, 3.0, 25.0])
@pytest.mark.parametrize(
    ("max_addresses", "max_hits", "addresses", "messages"),
    [
        (100_000, 64, 1, 200),  # one busy address: evictions by the per-address bound
        (100_000, 64, 3, 20),  # messages repeat within the window
        (4, 8, 9, 30),  # evictions by the address bound, small per-address bound
        (100, 1, 5, 10),  # one hit kept per address
        (100, 2, 2, 5),
    ],
)
def test_same_counts_as_the_straightforward_count(
    jitter_s: float, max_addresses: int, max_hits: int, addresses: int, messages: int
) -> None:
    window = timedelta(seconds=10)
    for seed in range(4):
        rng = random.Random(f"{seed}:{jitter_s}:{max_hits}:{addresses}")
        velocity = AddressVelocity(window, max_addresses, max_hits)
        reference = ReferenceVelocity(window, max_addresses, max_hits)
        for number, (address, message, at) in enumerate(
            random_stream(rng, 3000, addresses, messages, jitter_s, gap_s=0.2)
        ):
            expected = reference.observe(address, message, at)
            assert velocity.observe(address, message, at) == expected, (seed, number)
        assert list(velocity._recent) == list(reference.recent)
        assert set(velocity._counted) <= set(velocity._recent)  # forgotten with the address


def test_counts_again_in_order_once_an_out_of_order_hit_is_dropped() -> None:
    velocity = AddressVelocity(window=timedelta(seconds=10), max_hits_per_address=3)
    seconds = [0, 5, 2, 6, 7, 8, 9]  # 2 is out of order; dropped by the bound at 8
    counts = [velocity.observe("203.0.113.9", f"m{s}", AT + timedelta(seconds=s)) for s in seconds]
    assert counts == [1, 2, 2, 3, 3, 3, 3]
    assert velocity._counted["203.0.113.9"].out_of_order == 0
