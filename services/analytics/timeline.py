"""Timeline queries: which rollup serves a bucket size in a time zone, and the SQL.

Minute buckets read ``campaign_minutes``. Hour and day buckets read the hourly rollup
(``campaign_hours``, UTC hours) when every UTC hour with data lies inside one bucket of the
requested zone — checked in the query itself at the hour's quarter-hour marks, so the result
is exactly what the quarter-hour rollup gives; otherwise (zones at +5:30, +5:45, …, bounds
that are not on a UTC hour) they read ``campaign_quarter_hours``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from psycopg import Connection

from services.analytics.domain import BOT, HUMAN, PROXY, SCANNER, UNCLASSIFIED, Metric

SOURCES = (HUMAN, PROXY, SCANNER, BOT, UNCLASSIFIED)
HOUR = timedelta(hours=1)


def _conditions() -> list[str]:
    """One filter per TimelinePoint count: opens and clicks per source (SOURCES order), then
    delivered, bounced, sent, deferred, unsubscribes, complaints."""
    per_source = [
        f"metric = {metric} AND source = {source}"
        for metric in (Metric.OPEN, Metric.CLICK)
        for source in SOURCES
    ]
    totals = [
        f"metric IN ({', '.join(str(int(m)) for m in metrics)})"
        for metrics in (
            (Metric.DELIVERED,),
            (Metric.HARD_BOUNCE, Metric.SOFT_BOUNCE),
            (Metric.SENT,),
            (Metric.DEFERRED,),
            (Metric.UNSUBSCRIBE,),
            (Metric.COMPLAINT,),
        )
    ]
    return per_source + totals


CONDITIONS = _conditions()
PIVOT = ", ".join(
    f"(sum(n) FILTER (WHERE {condition}))::bigint AS c{i}" for i, condition in enumerate(CONDITIONS)
)
RESUM = ", ".join(f"sum(c{i})::bigint" for i in range(len(CONDITIONS)))
# The metrics the counts use (replies are not on the timeline): fewer rows read.
TIMELINE_METRICS = sorted(
    {
        int(m)
        for m in (
            Metric.OPEN,
            Metric.CLICK,
            Metric.DELIVERED,
            Metric.HARD_BOUNCE,
            Metric.SOFT_BOUNCE,
            Metric.SENT,
            Metric.DEFERRED,
            Metric.UNSUBSCRIBE,
            Metric.COMPLAINT,
        )
    }
)
RANGE = (
    "tenant_id = %(tenant)s AND campaign_id = %(campaign)s AND metric = ANY(%(metrics)s) "
    "AND bucket_start >= coalesce(%(start)s, '-infinity'::timestamptz) "
    "AND bucket_start < coalesce(%(end)s, 'infinity'::timestamptz)"
)
MINUTES = f"SELECT bucket_start, {PIVOT} FROM campaign_minutes WHERE {RANGE} GROUP BY 1 ORDER BY 1"
# Rows of one rollup grouped per stored bucket, then per bucket of the requested zone (the
# zone's date_trunc runs once per stored bucket, not once per row).
ZONED = (
    "WITH per_bucket AS (SELECT bucket_start, {pivot} FROM {table} WHERE {range} GROUP BY 1) "
    "SELECT date_trunc(%(unit)s, bucket_start, %(tz)s) AS b, {resum}{extra} "
    "FROM per_bucket GROUP BY 1 ORDER BY 1"
)
QUARTERS = ZONED.format(
    pivot=PIVOT, table="campaign_quarter_hours", range=RANGE, resum=RESUM, extra=""
)
# The last column says whether each UTC hour falls in one zone bucket at all its quarters.
HOURS = ZONED.format(
    pivot=PIVOT,
    table="campaign_hours",
    range=RANGE,
    resum=RESUM,
    extra=", bool_and("
    + " AND ".join(
        f"date_trunc(%(unit)s, bucket_start + interval '{m} minutes', %(tz)s) "
        "= date_trunc(%(unit)s, bucket_start, %(tz)s)"
        for m in (15, 30, 45)
    )
    + ")",
)


def on_hour(instant: datetime | None) -> bool:
    return instant is None or (instant.minute, instant.second, instant.microsecond) == (0, 0, 0)


def may_use_hours(zone: str, start: datetime | None, end: datetime | None, now: datetime) -> bool:
    """Cheap pre-check (the query checks exactly): bounds on UTC hours and the zone's offset
    at the start of the range a whole number of hours."""
    offset = ZoneInfo(zone).utcoffset(start or now) or timedelta(0)
    return on_hour(start) and on_hour(end) and offset % HOUR == timedelta(0)


def timeline_rows(
    conn: Connection,
    tenant_id: str,
    campaign_id: str,
    bucket: str,
    time_zone: str,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> list[tuple]:
    """(bucket start, *counts in CONDITIONS order) rows in bucket order."""
    params = {
        "tenant": tenant_id,
        "campaign": campaign_id,
        "metrics": TIMELINE_METRICS,
        "unit": bucket,
        "tz": time_zone,
        "start": start,
        "end": end,
    }
    if bucket == "minute":
        return conn.execute(MINUTES, params).fetchall()
    if may_use_hours(time_zone, start, end, now):
        rows = conn.execute(HOURS, params).fetchall()
        if all(row[-1] for row in rows):
            return [tuple(row[:-1]) for row in rows]
    return conn.execute(QUARTERS, params).fetchall()
