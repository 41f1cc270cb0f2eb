"""How a batch is split between concurrent writers: whole campaigns, balanced, large only."""

from __future__ import annotations

from datetime import UTC, datetime

from services.analytics.codec import EventRow
from services.analytics.store import MIN_ROWS_PER_WRITER, campaign_groups

AT = datetime(2026, 3, 1, tzinfo=UTC)


def rows(campaign: str, count: int) -> list[EventRow]:
    return [EventRow(f"{campaign}-{n}", 4, AT, "t", campaign, "m", "r") for n in range(count)]


def test_large_batches_are_split_into_whole_balanced_campaigns() -> None:
    batch = rows("a", 1500) + rows("b", 1000) + rows("c", 600)
    groups = campaign_groups(batch, 2)
    assert sorted(map(len, groups)) == [1500, 1600]
    assert [{row.campaign_id for row in group} for group in sorted(groups, key=len)] == [
        {"a"},
        {"b", "c"},
    ]


def test_small_batches_single_campaigns_and_one_writer_are_not_split() -> None:
    small = rows("a", MIN_ROWS_PER_WRITER) + rows("b", MIN_ROWS_PER_WRITER - 1)
    assert campaign_groups(small, 2) == [small]
    single = rows("a", 5000)
    assert campaign_groups(single, 4) == [single]
    mixed = rows("a", 3000) + rows("b", 3000)
    assert campaign_groups(mixed, 1) == [mixed]
    assert campaign_groups([], 2) == []
