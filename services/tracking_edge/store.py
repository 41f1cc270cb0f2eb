"""Tracking edge storage: classified hits (the classifier's history) and tracking opt-outs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Engine, text

HistoryKey = tuple[str, str, str]  # tenant_id, recipient_id, message_id


@dataclass(frozen=True)
class StoredHit:
    hit_id: str
    tenant_id: str
    message_id: str
    recipient_id: str
    kind: int
    link_index: int
    received_at: datetime
    source: str
    honeypot: bool


class TrackingEdgeStore:
    def __init__(self, engine: Engine, history_limit: int = 200) -> None:
        self.engine = engine
        self.history_limit = history_limit

    def history(self, keys: Iterable[HistoryKey]) -> dict[HistoryKey, list[StoredHit]]:
        """Earlier hits per recipient and message, oldest first (bounded per key)."""
        unique = sorted(set(keys))
        result: dict[HistoryKey, list[StoredHit]] = defaultdict(list)
        if not unique:
            return result
        query = text(
            """
            SELECT h.* FROM unnest(
                CAST(:tenants AS text[]), CAST(:recipients AS text[]), CAST(:messages AS text[])
            ) AS k(tenant_id, recipient_id, message_id)
            CROSS JOIN LATERAL (
                SELECT * FROM hits
                WHERE hits.tenant_id = k.tenant_id AND hits.recipient_id = k.recipient_id
                  AND hits.message_id = k.message_id
                ORDER BY received_at DESC LIMIT :limit
            ) AS h
            ORDER BY h.received_at
            """
        )
        params = {
            "tenants": [k[0] for k in unique],
            "recipients": [k[1] for k in unique],
            "messages": [k[2] for k in unique],
            "limit": self.history_limit,
        }
        with self.engine.connect() as conn:
            for row in conn.execute(query, params).mappings():
                hit = StoredHit(**row)
                result[(hit.tenant_id, hit.recipient_id, hit.message_id)].append(hit)
        return result

    def record_hits(self, hits: Sequence[StoredHit]) -> None:
        if not hits:
            return
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    """
                    INSERT INTO hits (hit_id, tenant_id, message_id, recipient_id, kind,
                                      link_index, received_at, source, honeypot)
                    VALUES (:hit_id, :tenant_id, :message_id, :recipient_id, :kind,
                            :link_index, :received_at, :source, :honeypot)
                    ON CONFLICT (hit_id) DO NOTHING
                    """
                ),
                [asdict(h) for h in hits],
            )

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
