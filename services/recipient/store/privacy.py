"""GDPR operations on this service's data: export everything held about a person, and erase
it leaving only an erasure record (tenant + sha256 of the recipient id + status) so that
replayed events cannot bring the person back; the erase request is published for the other
services in the same transaction (outbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from emailtrack.common import topics
from services.recipient.domain.delivery import DeliveryStatus
from services.recipient.domain.events import erase_event
from services.recipient.domain.suppression import RecipientStatus
from services.recipient.outbox import enqueue
from services.recipient.store.rows import (
    RECIPIENT_COLUMNS,
    Database,
    RecipientRow,
    lock_subjects,
    subject_hash,
)

PERSONAL_TABLES = (
    "list_members",
    "list_unsubscribes",
    "message_recipients",
    "suppression_audit",
    "soft_bounces",
)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _rows(conn: Connection, query: str, params: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {k: _jsonable(v) for k, v in row._asdict().items()}
        for row in conn.execute(text(query), params)
    ]


class PrivacyStore:
    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.on_outbox = db.on_outbox

    def export(self, tenant_id: str, recipient_id: str) -> dict[str, Any] | None:
        """Everything this service holds about the person, or None when it holds nothing."""
        params = {"t": tenant_id, "r": recipient_id}
        with self.engine.connect() as conn:
            row = conn.execute(
                text(
                    f"SELECT {RECIPIENT_COLUMNS} FROM recipients "
                    "WHERE tenant_id = :t AND recipient_id = :r"
                ),
                params,
            ).one_or_none()
            if row is None:
                return None
            recipient = RecipientRow.from_row(row)
            messages = _rows(
                conn,
                """
                SELECT mr.message_id, m.campaign_id, m.list_id, mr.role, mr.status, mr.reason,
                       m.registered_at, mr.updated_at
                FROM message_recipients mr JOIN messages m
                  ON m.tenant_id = mr.tenant_id AND m.message_id = mr.message_id
                WHERE mr.tenant_id = :t AND mr.recipient_id = :r ORDER BY m.registered_at
                """,
                params,
            )
            for message in messages:
                message["status"] = DeliveryStatus(message["status"]).name.lower()
            return {
                "recipient": {
                    **{k: _jsonable(v) for k, v in recipient.__dict__.items()},
                    "status": recipient.status.name.lower(),
                },
                "lists": _rows(
                    conn,
                    "SELECT list_id, added_at FROM list_members "
                    "WHERE tenant_id = :t AND recipient_id = :r ORDER BY list_id",
                    params,
                ),
                "list_unsubscribes": _rows(
                    conn,
                    "SELECT list_id, unsubscribed_at FROM list_unsubscribes "
                    "WHERE tenant_id = :t AND recipient_id = :r ORDER BY list_id",
                    params,
                ),
                "messages": messages,
                "suppression_audit": _rows(
                    conn,
                    "SELECT action, reason, actor, at FROM suppression_audit "
                    "WHERE tenant_id = :t AND recipient_id = :r ORDER BY id",
                    params,
                ),
            }

    def erase(self, tenant_id: str, recipient_id: str) -> bool:
        """Deletes the person's rows here and publishes ERASE_REQUESTED (always, since other
        services may hold data even when this one does not). Returns whether rows existed."""
        params = {"t": tenant_id, "r": recipient_id}
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            lock_subjects(conn, [(tenant_id, subject_hash(recipient_id))])
            status = conn.execute(
                text(
                    "DELETE FROM recipients WHERE tenant_id = :t AND recipient_id = :r "
                    "RETURNING status"
                ),
                params,
            ).scalar()
            for table in PERSONAL_TABLES:
                conn.execute(
                    text(f"DELETE FROM {table} WHERE tenant_id = :t AND recipient_id = :r"),
                    params,
                )
            conn.execute(
                text(
                    """
                    INSERT INTO erasures (tenant_id, subject_hash, status, erased_at)
                    VALUES (:t, :h, :s, :now)
                    ON CONFLICT (tenant_id, subject_hash) DO UPDATE SET erased_at = :now
                    """
                ),
                {
                    "t": tenant_id,
                    "h": subject_hash(recipient_id),
                    "s": status or int(RecipientStatus.ACTIVE),
                    "now": now,
                },
            )
            enqueue(conn, topics.RECIPIENT_EVENTS, [erase_event(tenant_id, recipient_id, now)])
        self.on_outbox()
        return status is not None
