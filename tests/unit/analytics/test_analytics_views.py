"""Rollup rows to response messages: timeline points, top links, breakdown shares."""

from __future__ import annotations

from datetime import UTC, datetime

from services.analytics.domain import BOT, HUMAN, Metric
from services.analytics.views import breakdown_rows, timeline_response, top_links

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)
T1 = datetime(2026, 3, 1, 11, tzinfo=UTC)


def test_timeline_rows_become_points() -> None:
    rows = [
        (int(T0.timestamp()), 3, 2, 0, 0, 0, 0, 0, 0, 0, 0, 7, 3, 10, 0, 0, 1),
        (int(T1.timestamp()), 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0),
    ]
    first, second = timeline_response(rows).points
    assert first.bucket_start.ToDatetime(tzinfo=UTC) == T0
    assert (first.opens.total, first.opens.human, first.opens.privacy_proxy) == (5, 3, 2)
    assert (first.delivered, first.bounced, first.sent, first.complaints) == (7, 3, 10, 1)
    assert second.clicks.bot == 4 and second.clicks.total == 4 and second.opens.total == 0


def test_top_links_rank_by_filtered_unique_clicks() -> None:
    rows = [
        ("https://a", 0, Metric.CLICK, BOT, 50),
        ("https://a", 0, Metric.CLICK_MASK, 1 << BOT, 50),
        ("https://b", 1, Metric.CLICK, HUMAN, 3),
        ("https://b", 1, Metric.CLICK_MASK, 1 << HUMAN, 2),
    ]
    links = top_links(rows, limit=5)
    assert [link.url for link in links] == ["https://b", "https://a"]
    assert links[0].unique_clicks.human == 2 and links[0].total_clicks.total == 3
    assert len(top_links(rows, limit=1)) == 1


def test_breakdown_shares_and_unknown_values() -> None:
    rows = breakdown_rows([("", 1), ("Gmail", 3)])
    assert [(r.value, r.count) for r in rows] == [("Gmail", 3), ("unknown", 1)]
    assert rows[0].share == 0.75
