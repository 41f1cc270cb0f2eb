"""Message registrations (message → recipients with their delivery status), the sender's
Mark* transitions with their delivery events, and the retention cleanup."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, text

from emailtrack.common import topics
from emailtrack.v1 import events_pb2
from services.recipient.applying import SuppressionRules, apply_events
from services.recipient.domain.addresses import Address
from services.recipient.domain.delivery import DeliveryStatus, is_change
from services.recipient.domain.errors import InvalidTransition, NotFound
from services.recipient.domain.events import MessageFacts, delivery_event
from services.recipient.outbox import enqueue
from services.recipient.store import usage
from services.recipient.store.campaigns import check_campaigns
from services.recipient.store.rows import Database, ensure_recipients, subject_hash


@dataclass(frozen=True)
class Registration:
    message_id: str
    campaign_id: str
    list_id: str
    sequence_step: str
    variant: str
    mailbox: str
    recipients: Sequence[tuple[Address, int]]
    smtp_message_id: str = ""
    warmup: bool = False


@dataclass(frozen=True)
class RegisteredMessage:
    message_id: str
    smtp_message_id: str
    campaign_id: str
    sequence_step: str
    variant: str
    mailbox: str
    warmup: bool
    emails: list[str]


@dataclass(frozen=True)
class Mark:
    """A delivery-status change of some recipients of one message."""

    message_id: str
    addresses: Sequence[Address]
    target: DeliveryStatus
    reason: str = ""
    bounce_type: int = events_pb2.BOUNCE_TYPE_UNSPECIFIED


INSERT_MESSAGES = text(
    """
    INSERT INTO messages (tenant_id, message_id, campaign_id, list_id, sequence_step, variant,
                          mailbox, smtp_message_id, warmup)
    SELECT :t, x.m, x.c, x.l, x.s, x.v, x.b, x.h, x.w
    FROM jsonb_to_recordset(CAST(:rows AS jsonb))
      AS x(m text, c text, l text, s text, v text, b text, h text, w boolean)
    ORDER BY x.m
    ON CONFLICT DO NOTHING
    RETURNING message_id
    """
)
INSERT_MESSAGE_RECIPIENTS = text(
    """
    INSERT INTO message_recipients (tenant_id, message_id, recipient_id, role, status)
    SELECT :t, x.m, x.r, x.o, :pending
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(m text, r text, o smallint)
    ORDER BY x.m, x.r
    ON CONFLICT DO NOTHING
    RETURNING recipient_id
    """
)


class MessageStore:
    def __init__(self, db: Database, rules: SuppressionRules) -> None:
        self.engine = db.engine
        self.on_outbox = db.on_outbox
        self.rules = rules

    def register(self, tenant_id: str, registrations: Sequence[Registration]) -> tuple[int, int]:
        """Records messages and their recipients as pending, set-based (a handful of
        statements per call whatever its size, rows passed as one JSON document since
        that is much cheaper to send than arrays); re-registering is a no-op. Returns the
        numbers of messages and recipient rows in the request."""
        messages: dict[str, Registration] = {}
        pairs: dict[tuple[str, str], int] = {}
        addresses: list[Address] = []
        for reg in registrations:
            messages.setdefault(reg.message_id, reg)
            for address, role in reg.recipients:
                pairs.setdefault((reg.message_id, address.recipient_id), role)
                addresses.append(address)
        ordered = sorted(pairs.items())
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            check_campaigns(conn, tenant_id, registrations)
            ensure_recipients(conn, tenant_id, addresses)
            regs = sorted(messages.values(), key=lambda r: r.message_id)
            message_rows = [
                {
                    "m": r.message_id,
                    "c": r.campaign_id,
                    "l": r.list_id,
                    "s": r.sequence_step,
                    "v": r.variant,
                    "b": r.mailbox,
                    "h": r.smtp_message_id,
                    "w": r.warmup,
                }
                for r in regs
            ]
            new_messages = conn.execute(
                INSERT_MESSAGES, {"t": tenant_id, "rows": json.dumps(message_rows)}
            ).all()
            recipient_rows = [{"m": m, "r": r, "o": role} for (m, r), role in ordered]
            new_pairs = (
                conn.execute(
                    INSERT_MESSAGE_RECIPIENTS,
                    {
                        "t": tenant_id,
                        "rows": json.dumps(recipient_rows),
                        "pending": int(DeliveryStatus.PENDING),
                    },
                )
                .scalars()
                .all()
            )
            counts = {usage.MESSAGES: len(new_messages), usage.EMAILS: len(new_pairs)}
            usage.add_counts(conn, tenant_id, now, counts)
            hashes = (subject_hash(rid) for rid in new_pairs)
            usage.add_members(conn, tenant_id, now, usage.RECIPIENT, hashes)
        return len(messages), len(ordered)

    def lookup(
        self, tenant_id: str, smtp_message_ids: Sequence[str], message_ids: Sequence[str]
    ) -> list[RegisteredMessage]:
        """Registered messages matching any of the SMTP Message-IDs or message ids."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    """
                    SELECT m.message_id, m.smtp_message_id, m.campaign_id, m.sequence_step,
                           m.variant, m.mailbox, m.warmup,
                           array_remove(array_agg(r.email ORDER BY r.email), NULL) AS emails
                    FROM messages m
                    LEFT JOIN message_recipients mr
                      ON mr.tenant_id = m.tenant_id AND mr.message_id = m.message_id
                    LEFT JOIN recipients r
                      ON r.tenant_id = mr.tenant_id AND r.recipient_id = mr.recipient_id
                    WHERE m.tenant_id = :t AND ((m.smtp_message_id = ANY(:h)
                      AND m.smtp_message_id <> '') OR m.message_id = ANY(:m))
                    GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1
                    """
                ),
                {"t": tenant_id, "h": list(smtp_message_ids), "m": list(message_ids)},
            ).all()
        return [
            RegisteredMessage(*row[:7], list(row.emails))  # type: ignore[call-arg]  # a Row slice has no static length
            for row in rows
        ]

    def mark(self, tenant_id: str, mark: Mark) -> int:
        """Applies ``mark`` to every named recipient or to none: an unknown message or
        recipient is NotFound, a forbidden transition InvalidTransition. Repeating a mark
        is a no-op. Returns the number of rows whose status changed."""
        return self.mark_many(tenant_id, [mark])

    def mark_many(self, tenant_id: str, marks: Sequence[Mark]) -> int:
        """Applies every mark in one transaction (one commit and one usage update for many
        messages), all or none: the first refused mark (as in ``mark``) fails them all.
        Returns the number of rows whose status changed."""
        now = datetime.now(UTC)
        changed = 0
        sent_mailboxes: set[str] = set()
        sent = 0
        with self.engine.begin() as conn:
            for mark in marks:
                updated, mailbox = self._apply(conn, tenant_id, mark, now)
                changed += updated
                if mark.target is DeliveryStatus.SENT and updated:
                    sent += updated
                    sent_mailboxes.add(mailbox)
            if sent:
                usage.add_counts(conn, tenant_id, now, {usage.SENT: sent})
                usage.add_members(conn, tenant_id, now, usage.MAILBOX, sorted(sent_mailboxes))
        if changed:
            self.on_outbox()
        return changed

    def _apply(
        self, conn: Connection, tenant_id: str, mark: Mark, now: datetime
    ) -> tuple[int, str]:
        """One mark inside the caller's transaction: (rows changed, the message's mailbox)."""
        by_id = {a.recipient_id: a for a in mark.addresses}
        message = conn.execute(
            text(
                "SELECT campaign_id, sequence_step, variant, mailbox, warmup FROM messages "
                "WHERE tenant_id = :t AND message_id = :m"
            ),
            {"t": tenant_id, "m": mark.message_id},
        ).one_or_none()
        if message is None:
            raise NotFound(f"message {mark.message_id!r} is not registered")
        current: dict[str, int] = dict(
            conn.execute(
                text(
                    """
                    SELECT recipient_id, status FROM message_recipients
                    WHERE tenant_id = :t AND message_id = :m AND recipient_id = ANY(:ids)
                    ORDER BY recipient_id FOR UPDATE
                    """
                ),
                {"t": tenant_id, "m": mark.message_id, "ids": sorted(by_id)},
            ).all()
        )
        missing = [a.email for rid, a in by_id.items() if rid not in current]
        if missing:
            raise NotFound(f"not recipients of message {mark.message_id!r}: {missing[:5]}")
        changed: list[str] = []
        for rid, status in sorted(current.items()):
            try:
                if is_change(DeliveryStatus(status), mark.target):
                    changed.append(rid)
            except InvalidTransition as exc:
                raise InvalidTransition(f"{by_id[rid].email}: {exc}") from exc
        if not changed:
            return 0, message.mailbox
        conn.execute(
            text(
                """
                UPDATE message_recipients SET status = :s, reason = :reason, updated_at = :now
                WHERE tenant_id = :t AND message_id = :m AND recipient_id = ANY(:ids)
                """
            ),
            {
                "s": int(mark.target),
                "reason": mark.reason,
                "now": now,
                "t": tenant_id,
                "m": mark.message_id,
                "ids": changed,
            },
        )
        facts = MessageFacts(
            tenant_id,
            mark.message_id,
            message.campaign_id,
            message.sequence_step,
            message.variant,
            message.mailbox,
            message.warmup,
        )
        events = [
            delivery_event(
                facts, rid, by_id[rid].email, mark.target, now, mark.reason, mark.bounce_type
            )
            for rid in changed
        ]
        enqueue(conn, topics.DELIVERY_EVENTS, events, key_of="message_id")
        if mark.target is DeliveryStatus.FAILED:
            apply_events(conn, events, self.rules)
        return len(changed), message.mailbox

    def delete_older_than(self, cutoff: datetime, chunk: int = 5000) -> int:
        """Deletes registrations made before ``cutoff`` (in chunks, so locks stay short),
        and the applied-event ids and soft bounces older than it. Returns messages deleted."""
        deleted = 0
        while True:
            with self.engine.begin() as conn:
                batch = conn.execute(
                    text(
                        """
                        DELETE FROM messages WHERE (tenant_id, message_id) IN (
                          SELECT tenant_id, message_id FROM messages
                          WHERE registered_at < :cutoff LIMIT :chunk)
                        RETURNING tenant_id, message_id
                        """
                    ),
                    {"cutoff": cutoff, "chunk": chunk},
                ).all()
                if batch:
                    conn.execute(
                        text(
                            """
                            DELETE FROM message_recipients mr USING
                              unnest(CAST(:t AS text[]), CAST(:m AS text[])) AS u(t, m)
                            WHERE mr.tenant_id = u.t AND mr.message_id = u.m
                            """
                        ),
                        {"t": [r.tenant_id for r in batch], "m": [r.message_id for r in batch]},
                    )
            deleted += len(batch)
            if len(batch) < chunk:
                break
        with self.engine.begin() as conn:
            for table in ("processed_events", "soft_bounces"):
                conn.execute(text(f"DELETE FROM {table} WHERE occurred_at < :c"), {"c": cutoff})
        return deleted
