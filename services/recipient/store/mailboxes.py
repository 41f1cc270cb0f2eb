"""Sending mailboxes (registry and last health), health band changes published as
ACCOUNT_HEALTH_UPDATE events, and warmup interactions published as warmup events (both
through the outbox, recipient topic)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from emailtrack.common import topics
from services.recipient.domain.addresses import Address
from services.recipient.domain.campaign_events import health_event, warmup_event
from services.recipient.domain.errors import NotFound
from services.recipient.outbox import enqueue
from services.recipient.store.rows import Database

COLUMNS = (
    "address, domain, daily_limit, warmup_enabled, health_score, health_band, "
    "health_updated_at, registered_at"
)


@dataclass(frozen=True)
class MailboxRow:
    address: str
    domain: str
    daily_limit: int
    warmup_enabled: bool
    health_score: int
    health_band: str
    health_updated_at: datetime | None
    registered_at: datetime

    @classmethod
    def of(cls, row: Any) -> MailboxRow:
        return cls(*row)


@dataclass(frozen=True)
class Interaction:
    interaction_id: str
    mailbox: str
    partner: Address
    kind: int
    occurred_at: datetime


class MailboxStore:
    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.on_outbox = db.on_outbox

    def register(
        self, tenant_id: str, mailbox: Address, daily_limit: int, warmup: bool
    ) -> MailboxRow:
        """Registers (or updates the settings of) a sending mailbox."""
        with self.engine.begin() as conn:
            row = conn.execute(
                text(
                    "INSERT INTO mailboxes (tenant_id, address, domain, daily_limit, "
                    "warmup_enabled) VALUES (:t, :a, :d, :l, :w) ON CONFLICT (tenant_id, address) "
                    "DO UPDATE SET daily_limit = EXCLUDED.daily_limit, "
                    f"warmup_enabled = EXCLUDED.warmup_enabled RETURNING {COLUMNS}"
                ),
                {
                    "t": tenant_id,
                    "a": mailbox.email,
                    "d": mailbox.email.rpartition("@")[2],
                    "l": daily_limit,
                    "w": warmup,
                },
            ).one()
        return MailboxRow.of(row)

    def list(self, tenant_id: str, domain: str = "") -> list[MailboxRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    f"SELECT {COLUMNS} FROM mailboxes WHERE tenant_id = :t "
                    "AND (:d = '' OR domain = :d) ORDER BY address"
                ),
                {"t": tenant_id, "d": domain.lower()},
            ).all()
        return [MailboxRow.of(row) for row in rows]

    def tenants(self) -> builtins.list[str]:  # ``list`` here is the method above
        with self.engine.connect() as conn:
            return list(conn.execute(text("SELECT DISTINCT tenant_id FROM mailboxes")).scalars())

    def apply_health(self, tenant_id: str, mailbox: str, score: int, band: str) -> bool:
        """Stores the mailbox's score; when its band changes (the first computation
        included), publishes ACCOUNT_HEALTH_UPDATE. Returns whether an event was published."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(
                text(
                    "SELECT health_score, health_band, health_changes FROM mailboxes "
                    "WHERE tenant_id = :t AND address = :a FOR UPDATE"
                ),
                {"t": tenant_id, "a": mailbox},
            ).one_or_none()
            if row is None:
                raise NotFound(f"mailbox {mailbox!r} is not registered")
            crossed = band != row.health_band
            conn.execute(
                text(
                    "UPDATE mailboxes SET health_score = :s, health_band = :b, "
                    "health_changes = health_changes + :c, health_updated_at = :now "
                    "WHERE tenant_id = :t AND address = :a"
                ),
                {
                    "s": score,
                    "b": band,
                    "c": int(crossed),
                    "now": now,
                    "t": tenant_id,
                    "a": mailbox,
                },
            )
            if crossed:
                event = health_event(
                    tenant_id,
                    mailbox,
                    score,
                    row.health_score,
                    band,
                    row.health_band,
                    row.health_changes + 1,
                    now,
                )
                enqueue(conn, topics.RECIPIENT_EVENTS, [event], key_of="mailbox")
        if crossed:
            self.on_outbox()
        return crossed

    def record_warmup(self, tenant_id: str, interactions: Sequence[Interaction]) -> int:
        """Publishes the interactions not recorded before; the mailboxes must be registered."""
        wanted = sorted({i.mailbox for i in interactions})
        with self.engine.begin() as conn:
            known = set(
                conn.execute(
                    text(
                        "SELECT address FROM mailboxes WHERE tenant_id = :t AND address = ANY(:a)"
                    ),
                    {"t": tenant_id, "a": wanted},
                ).scalars()
            )
            unknown = [m for m in wanted if m not in known]
            if unknown:
                raise NotFound(f"mailboxes not registered: {unknown[:5]}")
            fresh = set(
                conn.execute(
                    text(
                        "INSERT INTO warmup_interactions (tenant_id, interaction_id) "
                        "SELECT :t, unnest(CAST(:i AS text[])) ON CONFLICT DO NOTHING "
                        "RETURNING interaction_id"
                    ),
                    {"t": tenant_id, "i": sorted({i.interaction_id for i in interactions})},
                ).scalars()
            )
            events = [
                warmup_event(
                    tenant_id,
                    i.interaction_id,
                    i.mailbox,
                    i.partner.recipient_id,
                    i.kind,
                    i.occurred_at,
                )
                for i in {i.interaction_id: i for i in interactions}.values()
                if i.interaction_id in fresh
            ]
            enqueue(conn, topics.RECIPIENT_EVENTS, events, key_of="mailbox")
        if events:
            self.on_outbox()
        return len(events)
