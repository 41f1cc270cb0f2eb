"""Timeline queries: which rows serve a bucket size in a time zone, and the SQL.

Minute buckets read ``campaign_minutes`` (one row per minute). Hour and day buckets read
``campaign_hours``: whole hours when every UTC hour with data lies inside one bucket of the
requested zone — checked in the query itself at the hour's quarter-hour marks, so the result
is exactly what the quarter hours give; otherwise (zones at +5:30, +5:45, …, bounds that are
not on a UTC hour) each hour row is split into its four quarter hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from psycopg import Connection

from services.analytics.store.time_rollups import COLUMNS, QUARTERS, quarter_columns

HOUR = timedelta(hours=1)
START = "coalesce(%(start)s, '-infinity'::timestamptz)"
END = "coalesce(%(end)s, 'infinity'::timestamptz)"
CAMPAIGN = "tenant_id = %(tenant)s AND campaign_id = %(campaign)s"


def _zone_bucket(instant: str) -> str:
    return f"date_trunc(%(unit)s, {instant}, %(tz)s)"


def _seconds(instant: str) -> str:
    """Buckets leave as Unix seconds: what the response carries, cheaper than datetimes."""
    return f"extract(epoch FROM {instant})::bigint"


# One row per minute: a range scan of the primary key, already in bucket order.
MINUTES = (
    f"SELECT {_seconds('bucket_start')}, {', '.join(COLUMNS)} FROM campaign_minutes "
    f"WHERE {CAMPAIGN} AND bucket_start >= {START} AND bucket_start < {END} "
    "ORDER BY bucket_start"
)
# Whole UTC hours summed per bucket of the requested zone (one date_trunc per hour); the last
# column says whether each hour falls in one zone bucket at all its quarter-hour marks.
HOUR_SUMS = ", ".join(
    f"sum({' + '.join(quarter_columns(q)[i] for q in QUARTERS)})::bigint"
    for i in range(len(COLUMNS))
)
SAME_BUCKET = " AND ".join(
    f"{_zone_bucket(f'bucket_start + {quarter}')} = {_zone_bucket('bucket_start')}"
    for quarter in ("interval '15 minutes'", "interval '30 minutes'", "interval '45 minutes'")
)
HOURS = (
    f"SELECT {_seconds(_zone_bucket('bucket_start'))}, {HOUR_SUMS}, bool_and({SAME_BUCKET}) "
    f"FROM campaign_hours WHERE {CAMPAIGN} AND bucket_start >= {START} "
    f"AND bucket_start < {END} GROUP BY 1 ORDER BY 1"
)
# Each hour row split into its quarter hours (those with counts), summed per zone bucket.
QUARTER_ROWS = ", ".join(
    f"(h.bucket_start + interval '{15 * q} minutes', {', '.join(quarter_columns(q))})"
    for q in QUARTERS
)
QUARTER_HOURS = (
    f"SELECT {_seconds(_zone_bucket('q.bucket_start'))}, "
    f"{', '.join(f'sum(q.{c})::bigint' for c in COLUMNS)} "
    f"FROM campaign_hours h CROSS JOIN LATERAL (VALUES {QUARTER_ROWS}) "
    f"AS q(bucket_start, {', '.join(COLUMNS)}) "
    f"WHERE {CAMPAIGN} AND h.bucket_start > {START} - interval '1 hour' "
    f"AND h.bucket_start < {END} AND q.bucket_start >= {START} AND q.bucket_start < {END} "
    f"AND {' + '.join(f'q.{c}' for c in COLUMNS)} > 0 GROUP BY 1 ORDER BY 1"
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
    """(bucket start in Unix seconds, *counts in time_rollups.COLUMNS order) rows in bucket
    order."""
    params = {
        "tenant": tenant_id,
        "campaign": campaign_id,
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
    return conn.execute(QUARTER_HOURS, params).fetchall()
