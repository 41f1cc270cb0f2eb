"""History signals: first, duplicate, earlier opens, bursts and honeypot proximity."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from services.tracking_edge.domain.classify.history import (
    Earlier,
    add_in_received_order,
    history_signals,
    in_received_order,
    prior_hits,
)
from services.tracking_edge.domain.classify.types import HitFeatures, HitHistory, PriorHit

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
WINDOWS = {
    "duplicate_window": timedelta(seconds=30),
    "burst_window": timedelta(seconds=10),
    "pair_window": timedelta(seconds=2),
    "honeypot_window": timedelta(minutes=5),
}


def click(link: int = 0) -> HitFeatures:
    return HitFeatures("click", "GET", "ua", "192.0.2.1", NOW, None, {}, link, False)


def prior(kind: str, seconds_ago: float, link: int = 0, **kw: object) -> PriorHit:
    return PriorHit(kind, NOW - timedelta(seconds=seconds_ago), link, **kw)  # type: ignore[arg-type]  # test data: an enum value as int or str


def test_empty_history() -> None:
    signals = history_signals(click(), HitHistory(), **WINDOWS)
    assert (signals.first, signals.duplicate, signals.opened_before) == (True, False, False)
    assert (signals.burst_links, signals.pair_links, signals.since_honeypot) == (1, 1, None)


def test_first_is_per_kind_whatever_the_source() -> None:
    history = HitHistory((prior("open", 60, source="human"), prior("click", 40, 2, source="bot")))
    signals = history_signals(click(), history, **WINDOWS)
    assert (signals.first, signals.human_seen_before, signals.opened_before) == (False, False, True)


def test_duplicate_needs_same_link_within_window() -> None:
    same = HitHistory((prior("click", 20, 0, source="human"),))
    old = HitHistory((prior("click", 40, 0, source="human"),))
    other = HitHistory((prior("click", 5, 1, source="human"),))
    assert history_signals(click(), same, **WINDOWS).duplicate
    assert not history_signals(click(), old, **WINDOWS).duplicate
    assert not history_signals(click(), other, **WINDOWS).duplicate


def test_burst_counts_distinct_links_in_windows() -> None:
    history = HitHistory(
        tuple(prior("click", s, link, source="human") for link, s in ((1, 12), (2, 8), (3, 1)))
    )
    signals = history_signals(click(4), history, **WINDOWS)
    assert (signals.burst_links, signals.pair_links) == (3, 2)


def test_latest_honeypot_within_window() -> None:
    history = HitHistory(
        (
            prior("click", 400, 9, source="bot", honeypot=True),
            prior("click", 30, 9, source="bot", honeypot=True),
        )
    )
    assert history_signals(click(), history, **WINDOWS).since_honeypot == timedelta(seconds=30)


def random_earlier(rng: random.Random, count: int) -> list[Earlier]:
    """Earlier hits in no particular order, on whole seconds (so that times tie), with ids
    that repeat now and then."""
    hits = []
    for _ in range(count):
        at = NOW - timedelta(seconds=rng.randrange(-20, 60))
        kind = rng.choice(["open", "click", "unsubscribe"])
        source = rng.choice(["human", "bot", "security_scanner", "privacy_proxy"])
        honeypot = rng.random() < 0.1
        hit = PriorHit(kind, at, rng.randrange(4), source, honeypot)  # type: ignore[arg-type]  # random test data
        hits.append((at, f"h{rng.randrange(count * 2)}", hit))
    return hits


@pytest.mark.parametrize("seed", range(200))
def test_prior_hits_are_those_received_before_other_than_the_hit_itself(seed: int) -> None:
    rng = random.Random(seed)
    earlier = random_earlier(rng, rng.randrange(0, 30))
    kept: list[Earlier] = []
    for hit in earlier:
        add_in_received_order(kept, hit)
    oldest_first = sorted(earlier, key=lambda hit: hit[0])  # a stable sort
    assert kept == oldest_first == in_received_order(earlier)
    for received_at in [NOW - timedelta(seconds=s) for s in range(-21, 61, 3)]:
        for hit_id in [f"h{rng.randrange(len(earlier) * 2 + 1)}", "never"]:
            expected = tuple(
                p for at, other, p in oldest_first if at < received_at and other != hit_id
            )
            assert prior_hits(kept, received_at, hit_id) == expected


@pytest.mark.parametrize("seed", range(100))
def test_signals_do_not_depend_on_the_order_of_the_history(seed: int) -> None:
    rng = random.Random(seed)
    prior = [p for _, _, p in random_earlier(rng, rng.randrange(0, 12))]
    hit = click(rng.randrange(4))._replace(kind=rng.choice(["open", "click"]))
    shuffled = rng.sample(prior, len(prior))
    assert history_signals(hit, HitHistory(tuple(prior)), **WINDOWS) == history_signals(
        hit, HitHistory(tuple(shuffled)), **WINDOWS
    )
