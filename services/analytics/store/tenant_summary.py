"""A tenant's campaigns added up: the campaigns counted (all, or those whose activity span,
first to last event, overlaps a time range), their counter rows summed per (metric, source)
and their combined activity. Unique counts add up exactly across campaigns: a (message,
recipient) pair belongs to one campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.analytics.store import Activity, AnalyticsStore

CHOSEN = """
SELECT campaign_id, events, first_event_at, last_event_at
FROM campaign_activity
WHERE tenant_id = %(t)s
  AND (%(start)s::timestamptz IS NULL OR last_event_at >= %(start)s)
  AND (%(end)s::timestamptz IS NULL OR first_event_at < %(end)s)
"""
SUMMED = """
SELECT metric, source, sum(n)::bigint FROM campaign_counters
WHERE tenant_id = %(t)s AND campaign_id = ANY(%(c)s)
GROUP BY 1, 2
"""


@dataclass(frozen=True)
class TenantTotals:
    campaign_ids: list[str]
    counters: list[tuple[int, int, int]]
    # the campaigns' activity together (None when no campaign is counted)
    activity: Activity | None


def tenant_totals(
    store: AnalyticsStore, tenant_id: str, start: datetime | None, end: datetime | None
) -> TenantTotals:
    with store.connection() as conn:
        chosen = conn.execute(CHOSEN, {"t": tenant_id, "start": start, "end": end}).fetchall()
        ids = [row[0] for row in chosen]
        counters = conn.execute(SUMMED, {"t": tenant_id, "c": ids}).fetchall() if ids else []
    activity = None
    if chosen:
        activity = Activity(
            "",
            sum(row[1] for row in chosen),
            min(row[2] for row in chosen),
            max(row[3] for row in chosen),
            0,
        )
    return TenantTotals(ids, [(m, s, int(n)) for m, s, n in counters], activity)
