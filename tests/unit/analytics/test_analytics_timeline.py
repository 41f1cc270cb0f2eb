"""Which rollup a timeline may read: hourly rows only for bounds on UTC hours in zones whose
offset is a whole number of hours (the query then checks every hour exactly)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.analytics.store.timeline import may_use_hours, on_hour

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", True),
        ("Europe/Paris", True),
        ("America/New_York", True),
        ("Asia/Kolkata", False),
        ("Asia/Kathmandu", False),
        ("Australia/Adelaide", False),
    ],
)
def test_whole_hour_zones_may_use_the_hourly_rollup(zone: str, expected: bool) -> None:
    assert may_use_hours(zone, None, None, NOW) is expected


def test_bounds_off_the_hour_need_quarter_hours() -> None:
    assert may_use_hours("UTC", NOW, NOW.replace(hour=18), NOW)
    assert not may_use_hours("UTC", NOW.replace(minute=30), None, NOW)
    assert not may_use_hours("UTC", None, NOW.replace(second=1), NOW)
    assert on_hour(None) and not on_hour(NOW.replace(microsecond=5))
