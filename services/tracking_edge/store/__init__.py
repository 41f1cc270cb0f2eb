"""Tracking edge storage: classified hits (the classifier's history) and tracking opt-outs.

The raw-hit consumer makes two statements per batch whatever its size: one reads the history
of every (tenant, recipient, message) of the batch together with the recipients' opt-outs,
one inserts the batch's hits. Each is its own transaction (autocommit: no BEGIN or COMMIT).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Engine, text

from emailtrack.common.db import raw_statement

HistoryKey = tuple[str, str, str]  # tenant_id, recipient_id, message_id


class StoredHit(NamedTuple):
    hit_id: str
    tenant_id: str
    message_id: str
    recipient_id: str
    kind: int
    link_index: int
    received_at: datetime
    source: str
    honeypot: bool
    campaign_id: str = ""


class PastHit(NamedTuple):
    """A stored hit as the classifier's history needs it (its key is known to the caller)."""

    hit_id: str
    kind: int
    link_index: int
    received_at: datetime
    source: str
    honeypot: bool


class BatchContext(NamedTuple):
    """What the store knows about the keys of a batch of hits."""

    opted_out: set[tuple[str, str]]  # (tenant_id, recipient_id)
    history: dict[HistoryKey, list[PastHit]]  # oldest first, bounded per key


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# The keys travel as one JSON array (psycopg dumps Python lists element by element, which
# costs more than the rest of the batch). One row per opted-out key (hit columns NULL, so
# sorted last) and one per earlier hit of the other keys, oldest first.
_CONTEXT = """
SELECT k.i, o.tenant_id IS NOT NULL, h.hit_id, h.kind, h.link_index, h.received_at,
       h.source, h.honeypot
FROM (
    SELECT key->>0 AS tenant_id, key->>1 AS recipient_id, key->>2 AS message_id, i
    FROM json_array_elements(%(keys)s::json) WITH ORDINALITY AS j(key, i)
) AS k
LEFT JOIN tracking_opt_outs o ON o.tenant_id = k.tenant_id AND o.recipient_id = k.recipient_id
LEFT JOIN LATERAL (
    SELECT hit_id, kind, link_index, received_at, source, honeypot FROM hits
    WHERE hits.tenant_id = k.tenant_id AND hits.recipient_id = k.recipient_id
      AND hits.message_id = k.message_id
    ORDER BY received_at DESC LIMIT %(limit)s
) AS h ON o.tenant_id IS NULL
WHERE o.tenant_id IS NOT NULL OR h.hit_id IS NOT NULL
ORDER BY h.received_at
"""

# The hits travel as one JSON array of rows, received_at in microseconds since the epoch.
_INSERT = """
INSERT INTO hits (hit_id, tenant_id, message_id, recipient_id, kind, link_index, received_at,
                  source, honeypot, campaign_id)
SELECT r->>0, r->>1, r->>2, r->>3, (r->>4)::smallint, (r->>5)::integer,
       timestamptz 'epoch' + (r->>6)::bigint * interval '1 microsecond', r->>7,
       (r->>8)::boolean, r->>9
FROM json_array_elements(%(rows)s::json) AS r
ON CONFLICT (hit_id) DO NOTHING
"""


class TrackingEdgeStore:
    def __init__(self, engine: Engine, history_limit: int = 200) -> None:
        self.engine = engine
        self.history_limit = history_limit

    def batch_context(self, keys: Collection[HistoryKey]) -> BatchContext:
        """The opted-out recipients among ``keys`` and the earlier hits of the other keys,
        oldest first (the latest ``history_limit`` per key), in one statement."""
        unique = list(keys)
        context = BatchContext(set(), {})
        if not unique:
            return context
        params = {"keys": json.dumps(unique), "limit": self.history_limit}
        with raw_statement(self.engine) as conn, conn.cursor(binary=True) as cursor:
            rows = cursor.execute(_CONTEXT, params).fetchall()
        history = context.history
        for row in rows:
            key = unique[row[0] - 1]
            if row[1]:
                context.opted_out.add((key[0], key[1]))
            elif key in history:
                history[key].append(PastHit._make(row[2:]))
            else:
                history[key] = [PastHit._make(row[2:])]
        return context

    def record_hits(self, hits: Sequence[StoredHit]) -> None:
        """Stores classified hits in one statement; hits already stored are left alone."""
        if not hits:
            return
        rows = [
            (
                *h[:6],
                (h.received_at - _EPOCH) // _MICROSECOND,
                h.source,
                h.honeypot,
                h.campaign_id,
            )
            for h in hits
        ]
        with raw_statement(self.engine) as conn:
            conn.execute(_INSERT, {"rows": json.dumps(rows)})

    def opted_out(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The (tenant_id, recipient_id) pairs among ``keys`` that opted out of tracking."""
        pairs = sorted(set(keys))
        if not pairs:
            return set()
        query = text(
            """
            SELECT o.tenant_id, o.recipient_id FROM tracking_opt_outs o
            JOIN unnest(CAST(:tenants AS text[]), CAST(:recipients AS text[])) AS k(t, r)
              ON o.tenant_id = k.t AND o.recipient_id = k.r
            """
        )
        params = {"tenants": [p[0] for p in pairs], "recipients": [p[1] for p in pairs]}
        with self.engine.connect() as conn:
            return {(r[0], r[1]) for r in conn.execute(query, params)}

    def set_opt_out(self, tenant_id: str, recipient_id: str, opted_out: bool, at: datetime) -> None:
        with self.engine.begin() as conn:
            if opted_out:
                conn.execute(
                    text(
                        """
                        INSERT INTO tracking_opt_outs (tenant_id, recipient_id, updated_at)
                        VALUES (:t, :r, :at)
                        ON CONFLICT (tenant_id, recipient_id) DO UPDATE SET updated_at = :at
                        """
                    ),
                    {"t": tenant_id, "r": recipient_id, "at": at},
                )
            else:
                conn.execute(
                    text(
                        "DELETE FROM tracking_opt_outs WHERE tenant_id = :t AND recipient_id = :r"
                    ),
                    {"t": tenant_id, "r": recipient_id},
                )

    def erase_recipient(self, tenant_id: str, recipient_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("DELETE FROM hits WHERE tenant_id = :t AND recipient_id = :r"),
                {"t": tenant_id, "r": recipient_id},
            )

    def delete_campaign(self, tenant_id: str, campaign_id: str) -> int:
        """Erases a deleted campaign's hits; returns how many."""
        with self.engine.begin() as conn:
            result = conn.execute(
                text("DELETE FROM hits WHERE tenant_id = :t AND campaign_id = :c"),
                {"t": tenant_id, "c": campaign_id},
            )
        return result.rowcount

    def delete_hits_before(self, cutoff: datetime, limit: int = 10_000) -> int:
        """Deletes up to ``limit`` hits received before ``cutoff`` (retention); returns how
        many, so a caller repeats while it gets ``limit``."""
        query = text(
            "DELETE FROM hits WHERE hit_id IN "
            "(SELECT hit_id FROM hits WHERE received_at < :cutoff LIMIT :limit)"
        )
        with self.engine.begin() as conn:
            result = conn.execute(query, {"cutoff": cutoff, "limit": limit})
        return result.rowcount
