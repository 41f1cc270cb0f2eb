"""PollPacing: a loop polls briefly while records come or while it joins, longer once idle."""

from __future__ import annotations

from emailtrack.common.consuming import PollPacing

PACING = PollPacing(busy_ms=100, idle_ms=500, idle_after_s=1.0)


def test_records_within_the_idle_threshold_keep_the_short_timeout() -> None:
    assert PACING.timeout_ms(since_records_s=0.0, assigned=True) == 100
    assert PACING.timeout_ms(since_records_s=0.99, assigned=True) == 100


def test_a_loop_without_records_for_the_threshold_polls_longer() -> None:
    assert PACING.timeout_ms(since_records_s=1.0, assigned=True) == 500
    assert PACING.timeout_ms(since_records_s=3600.0, assigned=True) == 500


def test_a_consumer_without_partitions_keeps_the_short_timeout_however_long_idle() -> None:
    assert PACING.timeout_ms(since_records_s=3600.0, assigned=False) == 100


def test_the_default_pacing_never_waits_longer_than_half_a_second() -> None:
    default = PollPacing()
    assert default.busy_ms == 100
    assert default.idle_ms <= 500
