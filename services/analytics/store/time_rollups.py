"""The time rollups and the part of the ingestion statement that increments them: one row per
(tenant, campaign, UTC minute) in ``campaign_minutes`` with one count column per
TimelinePoint figure, and one row per (tenant, campaign, UTC hour) in ``campaign_hours`` with
those counts for each of the hour's four quarter hours (``q0_…`` to ``q3_…``).

Quarter hours make hour and day buckets exact in every zone (every offset in the tz database
is a multiple of 15 minutes); keeping them in the hour's row means a batch upserts at most one
hour row and one minute row per campaign and bucket. Replies are not on the timeline and are
not counted here.
"""

from __future__ import annotations

from services.analytics.domain import BOT, HUMAN, PROXY, SCANNER, UNCLASSIFIED, Metric

SOURCES = (
    ("human", HUMAN),
    ("privacy_proxy", PROXY),
    ("security_scanner", SCANNER),
    ("bot", BOT),
    ("unclassified", UNCLASSIFIED),
)

# (column, the events it counts) in TimelinePoint order: opens and clicks per source, then
# delivered, bounced, sent, deferred, unsubscribes, complaints.
COUNTS: tuple[tuple[str, str], ...] = (
    *(
        (f"{prefix}_{name}", f"event_type = {metric} AND source = {source}")
        for prefix, metric in (("opens", Metric.OPEN), ("clicks", Metric.CLICK))
        for name, source in SOURCES
    ),
    ("delivered", f"event_type = {Metric.DELIVERED}"),
    ("bounced", f"event_type = {Metric.HARD_BOUNCE}"),
    ("sent", f"event_type = {Metric.SENT}"),
    ("deferred", f"event_type = {Metric.DEFERRED}"),
    ("unsubscribes", f"event_type = {Metric.UNSUBSCRIBE}"),
    ("complaints", f"event_type = {Metric.COMPLAINT}"),
)
COLUMNS: tuple[str, ...] = tuple(name for name, _ in COUNTS)
QUARTERS = range(4)


def quarter_columns(quarter: int) -> tuple[str, ...]:
    """The ``campaign_hours`` columns of one quarter hour (0 = minutes 0 to 14), COLUMNS order."""
    return tuple(f"q{quarter}_{column}" for column in COLUMNS)


HOUR_COLUMNS: tuple[str, ...] = tuple(c for q in QUARTERS for c in quarter_columns(q))

ORIGIN = "TIMESTAMPTZ '2000-01-01 00:00:00+00'"
KEY = "tenant_id, campaign_id, bucket_start"


def _upsert(name: str, table: str, columns: tuple[str, ...], select: str) -> str:
    added = ", ".join(f"{c} = r.{c} + EXCLUDED.{c}" for c in columns)
    return f"""{name} AS (
  INSERT INTO {table} AS r ({KEY}, {", ".join(columns)})
  {select}
  ON CONFLICT ({KEY}) DO UPDATE SET {added}
)"""


def ingest_ctes(new: str) -> str:
    """WITH items (comma-separated) upserting both rollups from the events of ``new`` (a CTE
    of newly inserted events). Each event's count column (``slot``, COLUMNS position) and
    quarter hour are computed once; the aggregates then only compare integers."""
    slot = " ".join(f"WHEN {cond} THEN {i}" for i, (_, cond) in enumerate(COUNTS))
    per_minute = ", ".join(
        f"count(*) FILTER (WHERE slot = {i}) AS {column}" for i, column in enumerate(COLUMNS)
    )
    per_quarter = ", ".join(
        f"count(*) FILTER (WHERE quarter_slot = {i})" for i in range(len(HOUR_COLUMNS))
    )
    timed = f"""timed AS (
  SELECT tenant_id, campaign_id, occurred_at, slot,
         extract(minute FROM occurred_at AT TIME ZONE 'UTC')::int / 15 * {len(COLUMNS)} + slot
           AS quarter_slot
  FROM (SELECT tenant_id, campaign_id, occurred_at, CASE {slot} END AS slot FROM {new}) e
  WHERE slot IS NOT NULL
)"""
    minutes = (
        f"SELECT tenant_id, campaign_id, date_bin('1 minute', occurred_at, {ORIGIN}), "
        f"{per_minute} FROM timed GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    hours = (
        f"SELECT tenant_id, campaign_id, date_bin('1 hour', occurred_at, {ORIGIN}), "
        f"{per_quarter} FROM timed GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    return ",\n".join(
        (
            timed,
            _upsert("minutes_up", "campaign_minutes", COLUMNS, minutes),
            _upsert("hours_up", "campaign_hours", HOUR_COLUMNS, hours),
        )
    )
