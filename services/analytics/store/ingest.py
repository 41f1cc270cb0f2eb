"""The ingestion transaction: COPY a batch into a temporary table, insert the events that are
new, and update every rollup from exactly those new events in the same statement; erasures.
Transactions for different campaigns may run concurrently (see AnalyticsStore.ingest).

Unique opens/clicks live in ``firsts``: one row per (message, recipient, kind[, link]) holding
the OR of the sources seen. ``RETURNING old.sources`` (PostgreSQL 18) gives the mask before
the change, so the rollups count pairs per exact mask (-1 for the old, +1 for the new one):
the result does not depend on the order in which events arrive.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import Connection

from emailtrack.v1 import events_pb2
from services.analytics.codec import COLUMNS, Erasure, EventRow
from services.analytics.domain import (
    HUMAN,
    HUMAN_BREAKDOWN_KIND_OFFSET,
    ON_READ_PROXY_AGENT_SUFFIX,
    PAIR_EVENT_TYPES,
    PROXY,
    PROXY_ON_READ,
    Metric,
)
from services.analytics.store import time_rollups
from services.analytics.store.lifecycle import drop_deleted

OPEN = events_pb2.EVENT_TYPE_EMAIL_OPEN
# Kinds with one ``firsts`` row per (message, recipient): segment and mailbox statistics.
PAIR_KINDS = ", ".join(str(kind) for kind in sorted(PAIR_EVENT_TYPES))
CLICK = events_pb2.EVENT_TYPE_EMAIL_CLICK
SENT = events_pb2.EVENT_TYPE_EMAIL_SENT
BOUNCE = events_pb2.EVENT_TYPE_EMAIL_BOUNCE
HARD = events_pb2.BOUNCE_TYPE_HARD

STAGING = """
CREATE TEMP TABLE IF NOT EXISTS staging (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
"""

# Event columns kept in ``events`` that no rollup reads (the insert does not return them).
RAW_ONLY = ("event_id", "first", "reason")
# The mask bit of an event's source in ``firsts``: fetch-on-read proxies get their own bit.
MASK_SOURCE = (
    f"CASE WHEN source = {PROXY} AND right(agent, {len(ON_READ_PROXY_AGENT_SUFFIX)}) = "
    f"'{ON_READ_PROXY_AGENT_SUFFIX}' THEN {PROXY_ON_READ} ELSE source END"
)

# Binary COPY: psycopg packs each row in C and the server parses no text.
COPY = f"COPY staging ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
NON_TEXT_TYPES = {
    "event_type": "smallint",
    "occurred_at": "timestamptz",
    "source": "smallint",
    "first": "bool",
    "duplicate": "bool",
    "link_index": "integer",
    "bounce_type": "smallint",
}
COPY_TYPES = [NON_TEXT_TYPES.get(column, "text") for column in COLUMNS]

# Redelivered events of erased recipients are stored anonymised (their ids stay unique).
ANONYMISE_ERASED = """
UPDATE staging s SET recipient_id = '', message_id = ''
FROM erased_recipients e
WHERE e.tenant_id = s.tenant_id AND e.recipient_id = s.recipient_id
"""

APPLY = f"""
WITH new AS (
  INSERT INTO events ({", ".join(COLUMNS)})
  SELECT DISTINCT ON (event_id) {", ".join(COLUMNS)} FROM staging ORDER BY event_id
  ON CONFLICT DO NOTHING
  RETURNING {", ".join(c for c in COLUMNS if c not in RAW_ONLY)},
            CASE WHEN event_type = {BOUNCE} AND bounce_type <> {HARD}
                 THEN {Metric.SOFT_BOUNCE} ELSE event_type END AS metric
),
first_keys AS (
  SELECT tenant_id, campaign_id, message_id, recipient_id, event_type AS kind,
         '' AS link_url, -1 AS link_index,
         CASE WHEN event_type = {BOUNCE} THEN bounce_type ELSE {MASK_SOURCE} END AS source,
         occurred_at
  FROM new WHERE event_type IN ({PAIR_KINDS}) AND recipient_id <> ''
  UNION ALL
  SELECT tenant_id, campaign_id, message_id, recipient_id, event_type, link_url, link_index,
         {MASK_SOURCE}, occurred_at
  FROM new WHERE event_type = {CLICK} AND recipient_id <> ''
),
firsts_up AS (
  INSERT INTO firsts AS f (tenant_id, campaign_id, message_id, recipient_id, kind, link_url,
                           link_index, sources, hits, first_at)
  SELECT tenant_id, campaign_id, message_id, recipient_id, kind, link_url, link_index,
         bit_or(1 << source), count(*), min(occurred_at)
  FROM first_keys GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (tenant_id, campaign_id, message_id, recipient_id, kind, link_url, link_index)
  DO UPDATE SET sources = f.sources | EXCLUDED.sources, hits = f.hits + EXCLUDED.hits,
                first_at = LEAST(f.first_at, EXCLUDED.first_at)
  RETURNING new.tenant_id, new.campaign_id, new.recipient_id, new.kind, new.link_url,
            new.link_index, old.sources AS old_sources, new.sources AS new_sources
),
-- Every upsert below locks its rows in key order (ORDER BY), and every transaction runs the
-- upserts in the same order, so concurrent writers (the writers of one batch, two replicas,
-- or the live consumer and a replay, which may share a campaign's rows) can wait for each
-- other but never in a cycle. Rows that every writer shares (per recipient, per tenant and
-- day) are written last: PostgreSQL runs the data-modifying CTEs nothing reads in reverse
-- order of their text, so these two, first in the text, run at the end.
recipients_up AS (
  INSERT INTO recipient_engagement AS r (tenant_id, recipient_id, opens, clicks, human_opens,
                                         human_clicks, messages, last_engagement_at)
  SELECT tenant_id, recipient_id, sum(opens), sum(clicks), sum(human_opens), sum(human_clicks),
         sum(messages), max(last_at) FROM (
    SELECT tenant_id, recipient_id,
           count(*) FILTER (WHERE event_type = {OPEN}) AS opens,
           count(*) FILTER (WHERE event_type = {CLICK}) AS clicks,
           count(*) FILTER (WHERE event_type = {OPEN} AND source = {HUMAN}) AS human_opens,
           count(*) FILTER (WHERE event_type = {CLICK} AND source = {HUMAN}) AS human_clicks,
           0 AS messages,
           max(occurred_at) FILTER (WHERE event_type IN ({OPEN}, {CLICK})) AS last_at
    FROM new WHERE recipient_id <> '' GROUP BY 1, 2
    UNION ALL
    SELECT tenant_id, recipient_id, 0, 0, 0, 0, count(*), NULL
    FROM firsts_up WHERE kind = {SENT} AND old_sources IS NULL GROUP BY 1, 2
  ) d GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (tenant_id, recipient_id) DO UPDATE SET
    opens = r.opens + EXCLUDED.opens,
    clicks = r.clicks + EXCLUDED.clicks,
    human_opens = r.human_opens + EXCLUDED.human_opens,
    human_clicks = r.human_clicks + EXCLUDED.human_clicks,
    messages = r.messages + EXCLUDED.messages,
    last_engagement_at = GREATEST(r.last_engagement_at, EXCLUDED.last_engagement_at)
  -- (a no-op update writes a row version all the same; the row is locked either way)
  WHERE EXCLUDED.opens + EXCLUDED.clicks + EXCLUDED.messages > 0
),
usage_up AS (
  INSERT INTO tenant_usage_days AS u (tenant_id, day, metric, n)
  SELECT tenant_id, (occurred_at AT TIME ZONE 'UTC')::date, event_type, count(*)
  FROM new GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, day, metric) DO UPDATE SET n = u.n + EXCLUDED.n
),
-- a pair whose mask did not change moves nothing (its +1 and -1 would cancel on a row that
-- exists since the mask was first counted), so only new pairs and changed masks count
changed_masks AS (
  SELECT * FROM firsts_up
  WHERE kind IN ({OPEN}, {CLICK}) AND old_sources IS DISTINCT FROM new_sources
),
mask_deltas AS (
  SELECT tenant_id, campaign_id, link_url, link_index,
         CASE kind WHEN {OPEN} THEN {Metric.OPEN_MASK} ELSE {Metric.CLICK_MASK} END AS metric,
         new_sources AS source, 1 AS n
  FROM changed_masks
  UNION ALL
  SELECT tenant_id, campaign_id, link_url, link_index,
         CASE kind WHEN {OPEN} THEN {Metric.OPEN_MASK} ELSE {Metric.CLICK_MASK} END,
         old_sources, -1
  FROM changed_masks WHERE old_sources IS NOT NULL
),
counters_up AS (
  INSERT INTO campaign_counters AS r (tenant_id, campaign_id, metric, source, n)
  SELECT tenant_id, campaign_id, metric, source, sum(n) FROM (
    -- a reload of the same pixel or link within the tracking edge's duplicate window is
    -- stored but not counted in totals
    SELECT tenant_id, campaign_id, metric, source, count(*) FILTER (WHERE NOT duplicate) AS n
    FROM new GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT tenant_id, campaign_id, metric, source, n FROM mask_deltas WHERE link_index = -1
  ) d GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (tenant_id, campaign_id, metric, source) DO UPDATE SET n = r.n + EXCLUDED.n
),
-- totals everywhere (timelines, links, breakdowns) leave out the reloads the counters leave out
counted AS (SELECT * FROM new WHERE NOT duplicate),
{time_rollups.ingest_ctes("counted")},
links_up AS (
  INSERT INTO campaign_links AS r (tenant_id, campaign_id, link_url, link_index, metric,
                                   source, n)
  SELECT tenant_id, campaign_id, link_url, link_index, metric, source, sum(n) FROM (
    SELECT tenant_id, campaign_id, link_url, link_index, metric, source, count(*) AS n
    FROM counted WHERE event_type = {CLICK} GROUP BY 1, 2, 3, 4, 5, 6
    UNION ALL
    SELECT tenant_id, campaign_id, link_url, link_index, metric, source, n
    FROM mask_deltas WHERE link_index >= 0
  ) d GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (tenant_id, campaign_id, link_url, link_index, metric, source)
  DO UPDATE SET n = r.n + EXCLUDED.n
),
clients AS (
  SELECT tenant_id, campaign_id, event_type, email_client, device, os, country, count(*) AS n,
         count(*) FILTER (WHERE source = {HUMAN}) AS human_n
  FROM counted WHERE event_type IN ({OPEN}, {CLICK}) GROUP BY 1, 2, 3, 4, 5, 6, 7
),
breakdown_up AS (
  -- rows of all hits under the event type, of human hits under it + the offset
  INSERT INTO campaign_breakdown AS r (tenant_id, campaign_id, kind, dimension, value, n)
  SELECT tenant_id, campaign_id, k.kind, d.dimension, d.value, sum(k.n)
  FROM clients
       CROSS JOIN LATERAL (VALUES (event_type, n),
                                  (event_type + {HUMAN_BREAKDOWN_KIND_OFFSET}, human_n))
       AS k(kind, n)
       CROSS JOIN LATERAL (VALUES (1, email_client), (2, device), (3, os), (4, country))
       AS d(dimension, value)
  WHERE k.n > 0
  GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (tenant_id, campaign_id, kind, dimension, value) DO UPDATE SET n = r.n + EXCLUDED.n
),
attributes_up AS (
  INSERT INTO message_attributes AS a (tenant_id, campaign_id, message_id, sequence_step,
                                       variant, mailbox)
  SELECT tenant_id, campaign_id, message_id, max(sequence_step), max(variant), max(mailbox)
  FROM new WHERE message_id <> '' AND (sequence_step <> '' OR variant <> '' OR mailbox <> '')
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, campaign_id, message_id) DO UPDATE SET
    sequence_step = CASE a.sequence_step WHEN '' THEN EXCLUDED.sequence_step
                    ELSE a.sequence_step END,
    variant = CASE a.variant WHEN '' THEN EXCLUDED.variant ELSE a.variant END,
    mailbox = CASE a.mailbox WHEN '' THEN EXCLUDED.mailbox ELSE a.mailbox END
  WHERE (a.sequence_step = '' AND EXCLUDED.sequence_step <> '')
     OR (a.variant = '' AND EXCLUDED.variant <> '') OR (a.mailbox = '' AND EXCLUDED.mailbox <> '')
),
activity_up AS (
  INSERT INTO campaign_activity AS r (tenant_id, campaign_id, events, first_event_at,
                                      last_event_at, version, updated_at)
  SELECT tenant_id, campaign_id, count(*), min(occurred_at), max(occurred_at), 1,
         clock_timestamp()
  FROM new GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (tenant_id, campaign_id) DO UPDATE SET
    events = r.events + EXCLUDED.events,
    first_event_at = LEAST(r.first_event_at, EXCLUDED.first_event_at),
    last_event_at = GREATEST(r.last_event_at, EXCLUDED.last_event_at),
    version = r.version + 1,
    updated_at = EXCLUDED.updated_at
)
SELECT count(*) FROM new
"""

ERASE = [
    """INSERT INTO erased_recipients (tenant_id, recipient_id, erased_at)
       VALUES (%(tenant)s, %(recipient)s, %(at)s) ON CONFLICT DO NOTHING""",
    """UPDATE events SET recipient_id = '', message_id = ''
       WHERE tenant_id = %(tenant)s AND recipient_id = %(recipient)s""",
    "DELETE FROM firsts WHERE tenant_id = %(tenant)s AND recipient_id = %(recipient)s",
    """DELETE FROM recipient_engagement
       WHERE tenant_id = %(tenant)s AND recipient_id = %(recipient)s""",
]


def apply_staged(conn: Connection) -> int:
    """Moves what is in ``staging`` into the events table and rollups (events of deleted
    campaigns are dropped and counted first); returns new events."""
    drop_deleted(conn)
    with conn.cursor() as cur:
        cur.execute(ANONYMISE_ERASED)
        cur.execute(APPLY)
        row = cur.fetchone()
    return int(row[0]) if row else 0


def ingest(conn: Connection, rows: Sequence[EventRow]) -> int:
    """Stages ``rows`` with COPY and applies them; the caller owns the transaction."""
    with conn.cursor() as cur:
        cur.execute(STAGING)
        with cur.copy(COPY) as copy:
            copy.set_types(COPY_TYPES)
            for row in rows:
                copy.write_row(row)
    return apply_staged(conn)


def erase(conn: Connection, erasures: Sequence[Erasure]) -> None:
    """Forgets recipients: raw events anonymised, per-recipient rows deleted, rollups kept."""
    with conn.cursor() as cur:
        for erasure in erasures:
            params = {
                "tenant": erasure.tenant_id,
                "recipient": erasure.recipient_id,
                "at": erasure.requested_at,
            }
            for statement in ERASE:
                cur.execute(statement, params)
