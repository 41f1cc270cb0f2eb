"""Suppression operations behind the RPCs: sendability checks in batch, manual suppress and
unsuppress, API unsubscribes, tracking opt-out, the audit trail; and the consumer's entry
point for events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text

from emailtrack.common import topics
from emailtrack.v1 import events_pb2
from services.recipient.applying import (
    Subject,
    SuppressionRules,
    apply_decision,
    apply_events,
    subject_row,
    unsubscribe_from_list,
)
from services.recipient.domain.addresses import Address
from services.recipient.domain.errors import NotFound
from services.recipient.domain.events import tracking_opt_out_event
from services.recipient.domain.suppression import (
    Fact,
    RecipientStatus,
    Verdict,
    decide,
    manual_suppress,
    manual_unsuppress,
    sendable,
)
from services.recipient.outbox import enqueue
from services.recipient.store.rows import (
    Database,
    RecipientRow,
    audit,
    lock_recipient,
    subject_hash,
)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    action: str
    status: int
    reason: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class Checked:
    status: RecipientStatus | None
    verdict: Verdict


class SuppressionStore:
    def __init__(self, db: Database, rules: SuppressionRules) -> None:
        self.engine = db.engine
        self.on_outbox = db.on_outbox
        self.rules = rules

    def apply_events(self, events: Sequence[events_pb2.Event]) -> int:
        """Consumer entry point: one transaction per batch; replays change nothing."""
        with self.engine.begin() as conn:
            applied = apply_events(conn, events, self.rules)
        if applied:
            self.on_outbox()
        return applied

    def check_sendable(
        self, tenant_id: str, addresses: Sequence[Address], list_id: str
    ) -> dict[str, Checked]:
        """Verdicts by recipient id; an erased address keeps the status it had."""
        ids = sorted({a.recipient_id for a in addresses})
        params = {"t": tenant_id, "ids": ids, "l": list_id}
        with self.engine.connect() as conn:
            known = {
                r.recipient_id: (RecipientStatus(r.status), r.status_reason)
                for r in conn.execute(
                    text(
                        "SELECT recipient_id, status, status_reason FROM recipients "
                        "WHERE tenant_id = :t AND recipient_id = ANY(:ids)"
                    ),
                    params,
                )
            }
            unknown = {subject_hash(i): i for i in ids if i not in known}
            if unknown:
                for h, status in conn.execute(
                    text(
                        "SELECT subject_hash, status FROM erasures "
                        "WHERE tenant_id = :t AND subject_hash = ANY(:h)"
                    ),
                    {"t": tenant_id, "h": list(unknown)},
                ):
                    known[unknown[h]] = (RecipientStatus(status), "erased")
            unsubscribed = set(
                conn.execute(
                    text(
                        "SELECT recipient_id FROM list_unsubscribes "
                        "WHERE tenant_id = :t AND list_id = :l AND recipient_id = ANY(:ids)"
                    ),
                    params,
                ).scalars()
                if list_id
                else ()
            )
        result: dict[str, Checked] = {}
        for rid in ids:
            status, reason = known.get(rid, (None, ""))
            result[rid] = Checked(status, sendable(status, reason, rid in unsubscribed))
        return result

    def suppress(self, tenant_id: str, address: Address, reason: str, actor: str) -> RecipientRow:
        with self.engine.begin() as conn:
            row = subject_row(conn, tenant_id, Subject(address.recipient_id, address))
            row = apply_decision(
                conn, row, manual_suppress(row.status, reason), "suppress", actor or "api"
            )
        self.on_outbox()
        return row

    def unsuppress(self, tenant_id: str, address: Address, reason: str, actor: str) -> RecipientRow:
        """Back to active; the soft-bounce history is cleared so that the next soft bounce
        does not suppress again at once."""
        with self.engine.begin() as conn:
            row = lock_recipient(conn, tenant_id, address.recipient_id)
            if row is None:
                raise NotFound("recipient not found")
            decision = manual_unsuppress(row.status, reason)
            if decision is not None:
                conn.execute(
                    text("DELETE FROM soft_bounces WHERE tenant_id = :t AND recipient_id = :r"),
                    {"t": tenant_id, "r": row.recipient_id},
                )
            row = apply_decision(conn, row, decision, "unsuppress", actor or "api")
        self.on_outbox()
        return row

    def unsubscribe(self, tenant_id: str, address: Address, list_id: str) -> RecipientRow:
        with self.engine.begin() as conn:
            row = subject_row(conn, tenant_id, Subject(address.recipient_id, address))
            if list_id:
                unsubscribe_from_list(conn, row, list_id, "api")
            else:
                decision = decide(row.status, Fact.UNSUBSCRIBE, self.rules.soft_bounces)
                row = apply_decision(conn, row, decision, "unsubscribe", "api")
        self.on_outbox()
        return row

    def set_tracking_opt_out(self, tenant_id: str, address: Address, opt_out: bool) -> RecipientRow:
        """Records the choice and, when it changes, tells the tracking edge (via Kafka)."""
        with self.engine.begin() as conn:
            row = subject_row(conn, tenant_id, Subject(address.recipient_id, address))
            if row.tracking_opt_out != opt_out:
                conn.execute(
                    text(
                        "UPDATE recipients SET tracking_opt_out = :o "
                        "WHERE tenant_id = :t AND recipient_id = :r"
                    ),
                    {"o": opt_out, "t": tenant_id, "r": row.recipient_id},
                )
                action = "tracking_opt_out" if opt_out else "tracking_opt_in"
                audit(conn, tenant_id, row.recipient_id, action, row.status, "", "api")
                event = tracking_opt_out_event(
                    tenant_id, row.recipient_id, address.email, opt_out, datetime.now(UTC)
                )
                enqueue(conn, topics.RECIPIENT_EVENTS, [event])
                row = RecipientRow(**{**row.__dict__, "tracking_opt_out": opt_out})
        self.on_outbox()
        return row

    def audit_entries(
        self, tenant_id: str, recipient_id: str, after_id: int, limit: int
    ) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, action, status, reason, actor, at FROM suppression_audit "
                    "WHERE tenant_id = :t AND recipient_id = :r AND id > :after "
                    "ORDER BY id LIMIT :limit"
                ),
                {"t": tenant_id, "r": recipient_id, "after": after_id, "limit": limit},
            ).all()
        return [AuditEntry(**row._asdict()) for row in rows]
