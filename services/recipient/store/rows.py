"""Rows and statements shared by the store modules: the recipient row, recipient creation
(which honours erasure records) and the suppression audit."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from services.recipient.domain.addresses import Address
from services.recipient.domain.suppression import RecipientStatus

RECIPIENT_COLUMNS = (
    "tenant_id, recipient_id, email, status, status_reason, hard_bounces, soft_bounces, "
    "first_seen_at, last_seen_at, metadata, tracking_opt_out"
)


@dataclass(frozen=True)
class RecipientRow:
    tenant_id: str
    recipient_id: str
    email: str | None
    status: RecipientStatus
    status_reason: str
    hard_bounces: int
    soft_bounces: int
    first_seen_at: datetime
    last_seen_at: datetime
    metadata: dict[str, str] = field(default_factory=dict)
    tracking_opt_out: bool = False

    @classmethod
    def from_row(cls, row: Any) -> RecipientRow:
        values = row._asdict()
        values["status"] = RecipientStatus(values["status"])
        return cls(**values)


@dataclass(frozen=True)
class Database:
    """The engine plus a callback run after commits that added outbox rows."""

    engine: Engine
    on_outbox: Callable[[], None] = lambda: None


def subject_hash(recipient_id: str) -> str:
    return hashlib.sha256(recipient_id.encode()).hexdigest()


def lock_subjects(conn: Connection, subjects: Iterable[tuple[str, str]]) -> None:
    """Transaction-level advisory locks on (tenant, subject hash) pairs, taken in one order:
    an erasure and the events about the same person apply one after the other. Interleaved,
    an event batch that read the erasures before the erasure committed would recreate the
    person right after it (its insert waits for the erasure's delete, then succeeds)."""
    keys = sorted({f"{tenant}\x1f{hashed}" for tenant, hashed in subjects})
    if keys:
        conn.execute(
            text(
                "SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
                "FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY AS u(k, n) ORDER BY n"
            ),
            {"keys": keys},
        )


def ensure_recipients(conn: Connection, tenant_id: str, addresses: Sequence[Address]) -> None:
    """Creates the recipients that do not exist yet (sorted, so concurrent callers lock in the
    same order); an address erased earlier comes back with the status it had (so a bounced or
    unsubscribed person stays suppressed) and its erasure record is dropped."""
    unique = sorted({a.recipient_id: a for a in addresses}.values(), key=lambda a: a.recipient_id)
    if not unique:
        return
    restored: dict[str, int] = dict(
        conn.execute(
            text(
                "DELETE FROM erasures WHERE tenant_id = :t AND subject_hash IN "
                "(SELECT jsonb_array_elements_text(CAST(:h AS jsonb))) "
                "RETURNING subject_hash, status"
            ),
            {"t": tenant_id, "h": json.dumps([subject_hash(a.recipient_id) for a in unique])},
        ).all()
    )
    rows = [
        {"r": a.recipient_id, "e": a.email, "s": restored.get(subject_hash(a.recipient_id), 1)}
        for a in unique
    ]
    conn.execute(
        text(
            """
            INSERT INTO recipients (tenant_id, recipient_id, email, status)
            SELECT :t, x.r, x.e, x.s
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(r text, e text, s smallint)
            ORDER BY x.r
            ON CONFLICT (tenant_id, recipient_id) DO UPDATE
              SET email = COALESCE(recipients.email, EXCLUDED.email), last_seen_at = now()
            """
        ),
        {"t": tenant_id, "rows": json.dumps(rows)},
    )


def audit(
    conn: Connection,
    tenant_id: str,
    recipient_id: str,
    action: str,
    status: RecipientStatus,
    reason: str,
    actor: str,
) -> int:
    """Appends a suppression-audit entry and returns its id."""
    return conn.execute(
        text(
            """
            INSERT INTO suppression_audit (tenant_id, recipient_id, action, status, reason, actor)
            VALUES (:t, :r, :a, :s, :reason, :actor) RETURNING id
            """
        ),
        {
            "t": tenant_id,
            "r": recipient_id,
            "a": action,
            "s": int(status),
            "reason": reason,
            "actor": actor,
        },
    ).scalar_one()


def lock_recipient(conn: Connection, tenant_id: str, recipient_id: str) -> RecipientRow | None:
    row = conn.execute(
        text(
            f"SELECT {RECIPIENT_COLUMNS} FROM recipients "
            "WHERE tenant_id = :t AND recipient_id = :r FOR UPDATE"
        ),
        {"t": tenant_id, "r": recipient_id},
    ).one_or_none()
    return RecipientRow.from_row(row) if row else None
