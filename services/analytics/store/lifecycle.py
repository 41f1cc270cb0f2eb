"""Campaign deletion and warmup writes inside the ingestion transaction: a deleted campaign's
rows are removed from every table and a tombstone makes later events for it dropped (and
counted) instead of stored; warmup events go to their own table, apart from campaigns."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import Connection

from emailtrack.common import metrics
from services.analytics.codec import CampaignDeletion, WarmupRow
from services.analytics.domain import HUMAN, Metric

# Tables whose rows belong to one campaign (tenant_usage_days is billing data: kept).
CAMPAIGN_TABLES = (
    "events",
    "firsts",
    "campaign_counters",
    "campaign_hours",
    "campaign_minutes",
    "campaign_links",
    "campaign_breakdown",
    "campaign_activity",
    "message_attributes",
)

TOMBSTONE = """
INSERT INTO deleted_campaigns (tenant_id, campaign_id, deleted_at)
VALUES (%(t)s, %(c)s, %(at)s) ON CONFLICT DO NOTHING
"""

# The campaign's share of each recipient's cross-campaign totals, taken out before deletion.
SUBTRACT_ENGAGEMENT = f"""
WITH ev AS (
  SELECT recipient_id,
         count(*) FILTER (WHERE event_type = {Metric.OPEN}) AS opens,
         count(*) FILTER (WHERE event_type = {Metric.CLICK}) AS clicks,
         count(*) FILTER (WHERE event_type = {Metric.OPEN} AND source = {HUMAN}) AS h_opens,
         count(*) FILTER (WHERE event_type = {Metric.CLICK} AND source = {HUMAN}) AS h_clicks
  FROM events WHERE tenant_id = %(t)s AND campaign_id = %(c)s AND recipient_id <> ''
  GROUP BY 1
),
sent AS (
  SELECT recipient_id, count(*) AS messages FROM firsts
  WHERE tenant_id = %(t)s AND campaign_id = %(c)s AND kind = {Metric.SENT} AND link_index = -1
  GROUP BY 1
),
d AS (
  SELECT recipient_id, coalesce(opens, 0) AS opens, coalesce(clicks, 0) AS clicks,
         coalesce(h_opens, 0) AS h_opens, coalesce(h_clicks, 0) AS h_clicks,
         coalesce(messages, 0) AS messages
  FROM ev FULL JOIN sent USING (recipient_id)
)
UPDATE recipient_engagement r SET
  opens = r.opens - d.opens, clicks = r.clicks - d.clicks,
  human_opens = r.human_opens - d.h_opens, human_clicks = r.human_clicks - d.h_clicks,
  messages = r.messages - d.messages
FROM d WHERE r.tenant_id = %(t)s AND r.recipient_id = d.recipient_id
"""

DROP_DELETED = """
WITH dropped AS (
  DELETE FROM staging s USING deleted_campaigns d
  WHERE d.tenant_id = s.tenant_id AND d.campaign_id = s.campaign_id
  RETURNING s.tenant_id, s.campaign_id
),
counted AS (SELECT tenant_id, campaign_id, count(*) AS n FROM dropped GROUP BY 1, 2)
UPDATE deleted_campaigns d SET dropped_events = d.dropped_events + c.n
FROM counted c WHERE d.tenant_id = c.tenant_id AND d.campaign_id = c.campaign_id
RETURNING c.n
"""

WARMUP = """
INSERT INTO warmup_events (event_id, tenant_id, mailbox, event_type, occurred_at)
VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING
"""


def delete_campaigns(conn: Connection, deletions: Sequence[CampaignDeletion]) -> None:
    """Idempotent: a replayed deletion finds nothing left to remove."""
    with conn.cursor() as cur:
        for deletion in deletions:
            params = {"t": deletion.tenant_id, "c": deletion.campaign_id, "at": deletion.deleted_at}
            cur.execute(TOMBSTONE, params)
            cur.execute(SUBTRACT_ENGAGEMENT, params)
            for table in CAMPAIGN_TABLES:
                cur.execute(
                    f"DELETE FROM {table} WHERE tenant_id = %(t)s AND campaign_id = %(c)s", params
                )


def drop_deleted(conn: Connection) -> int:
    """Removes staged events of deleted campaigns, counting them; returns how many."""
    with conn.cursor() as cur:
        cur.execute(DROP_DELETED)
        dropped = sum(n for (n,) in cur.fetchall())
    if dropped:
        metrics.DELETED_CAMPAIGN_EVENTS_DROPPED.inc(dropped)
    return dropped


def record_warmup(conn: Connection, rows: Sequence[WarmupRow]) -> None:
    with conn.cursor() as cur:
        cur.executemany(WARMUP, [tuple(row) for row in rows])
