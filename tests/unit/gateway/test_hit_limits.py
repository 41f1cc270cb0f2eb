"""The per-IP hit limiter: fixed windows, per-address counts, bounded memory."""

from __future__ import annotations

from gateway.tracking.hit_limits import HitLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_hits_past_the_limit_are_over_until_the_next_window() -> None:
    clock = Clock()
    limiter = HitLimiter(3, 60.0, clock)
    assert [limiter.over_limit("a") for _ in range(5)] == [False, False, False, True, True]
    assert not limiter.over_limit("b")
    clock.now += 60
    assert not limiter.over_limit("a")


def test_a_zero_limit_disables_it_and_the_table_is_bounded() -> None:
    assert not any(HitLimiter(0, 60.0).over_limit("a") for _ in range(1000))
    limiter = HitLimiter(1, 60.0, Clock(), max_addresses=2)
    for address in ("a", "b", "c", "c", "c"):
        limiter.over_limit(address)
    assert limiter.over_limit("a") and not limiter.over_limit("c")  # "c" was never tracked
