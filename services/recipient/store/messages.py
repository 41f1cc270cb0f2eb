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
from services.recipient.store.campaign_messages import CampaignMessageRow, campaign_messages
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

    def campaign_messages(
        self, tenant_id: str, campaign_id: str, after: tuple[str, str], limit: int
    ) -> list[CampaignMessageRow]:
        """A page of the campaign's (message, recipient) rows (see ``campaign_messages``)."""
        return campaign_messages(self.engine, tenant_id, campaign_id, after, limit)

    def mark(self, tenant_id: str, mark: Mark) -> int:
        """Applies ``mark`` to every named recipient or to none: an unknown message or
        recipient is NotFound, a forbidden transition InvalidTransition. Repeating a mark
        is a no-op. Returns the number of rows whose status changed."""
        return self.mark_many(tenant_id, [mark])

    def mark_many(self, tenant_id: str, marks: Sequence[Mark]) -> int:
        """Applies the marks in order in one transaction, all or none: the first refused mark
        (as in ``mark``) fails them all. Set-based (one read, one lock, one update for the
        whole batch), so a batch of many messages costs about what one costs.
        Returns the number of status changes."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            facts = self._facts(conn, tenant_id, marks)
            current = self._lock_statuses(conn, tenant_id, marks)
            final: dict[tuple[str, str], tuple[int, str]] = {}
            events: list[events_pb2.Event] = []
            failed: list[events_pb2.Event] = []
            sent_mailboxes: set[str] = set()
            for mark in marks:
                by_id = {a.recipient_id: a for a in mark.addresses}
                for rid in _changed(mark, by_id, current):
                    current[(mark.message_id, rid)] = int(mark.target)
                    final[(mark.message_id, rid)] = (int(mark.target), mark.reason)
                    event = delivery_event(
                        facts[mark.message_id],
                        rid,
                        by_id[rid].email,
                        mark.target,
                        now,
                        mark.reason,
                        mark.bounce_type,
                    )
                    events.append(event)
                    if mark.target is DeliveryStatus.FAILED:
                        failed.append(event)
                    if mark.target is DeliveryStatus.SENT:
                        sent_mailboxes.add(facts[mark.message_id].mailbox)
            if not events:
                return 0
            _update_statuses(conn, tenant_id, final, now)
            enqueue(conn, topics.DELIVERY_EVENTS, events, key_of="message_id")
            sent = sum(e.type == events_pb2.EVENT_TYPE_EMAIL_SENT for e in events)
            if sent:
                usage.add_counts(conn, tenant_id, now, {usage.SENT: sent})
                usage.add_members(conn, tenant_id, now, usage.MAILBOX, sorted(sent_mailboxes))
            if failed:
                apply_events(conn, failed, self.rules)
        self.on_outbox()
        return len(events)

    def _facts(
        self, conn: Connection, tenant_id: str, marks: Sequence[Mark]
    ) -> dict[str, MessageFacts]:
        """The registered facts of every marked message; an unknown one is NotFound."""
        wanted = sorted({mark.message_id for mark in marks})
        rows = conn.execute(
            text(
                "SELECT message_id, campaign_id, sequence_step, variant, mailbox, warmup "
                "FROM messages WHERE tenant_id = :t AND message_id = ANY(:m)"
            ),
            {"t": tenant_id, "m": wanted},
        ).all()
        found = {
            row.message_id: MessageFacts(
                tenant_id,
                row.message_id,
                row.campaign_id,
                row.sequence_step,
                row.variant,
                row.mailbox,
                row.warmup,
            )
            for row in rows
        }
        for message_id in wanted:
            if message_id not in found:
                raise NotFound(f"message {message_id!r} is not registered")
        return found

    def _lock_statuses(
        self, conn: Connection, tenant_id: str, marks: Sequence[Mark]
    ) -> dict[tuple[str, str], int]:
        """Locks the named recipients' rows (in key order) and returns their statuses; a
        recipient not registered for its message is NotFound."""
        pairs = sorted({(m.message_id, a.recipient_id) for m in marks for a in m.addresses})
        rows = conn.execute(
            text(
                """
                SELECT mr.message_id, mr.recipient_id, mr.status
                FROM message_recipients AS mr
                JOIN unnest(CAST(:m AS text[]), CAST(:r AS text[])) AS w(m, r)
                  ON mr.message_id = w.m AND mr.recipient_id = w.r
                WHERE mr.tenant_id = :t
                ORDER BY mr.message_id, mr.recipient_id FOR UPDATE OF mr
                """
            ),
            {"t": tenant_id, "m": [p[0] for p in pairs], "r": [p[1] for p in pairs]},
        ).all()
        current = {(row.message_id, row.recipient_id): int(row.status) for row in rows}
        for mark in marks:
            missing = [
                a.email for a in mark.addresses if (mark.message_id, a.recipient_id) not in current
            ]
            if missing:
                raise NotFound(f"not recipients of message {mark.message_id!r}: {missing[:5]}")
        return current

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


def _changed(
    mark: Mark, by_id: dict[str, Address], current: dict[tuple[str, str], int]
) -> list[str]:
    """The recipients of ``mark`` whose status it changes, in id order; a forbidden
    transition is InvalidTransition naming the address."""
    changed = []
    for rid in sorted(by_id):
        try:
            if is_change(DeliveryStatus(current[(mark.message_id, rid)]), mark.target):
                changed.append(rid)
        except InvalidTransition as exc:
            raise InvalidTransition(f"{by_id[rid].email}: {exc}") from exc
    return changed


def _update_statuses(
    conn: Connection,
    tenant_id: str,
    final: dict[tuple[str, str], tuple[int, str]],
    now: datetime,
) -> None:
    keys = sorted(final)
    conn.execute(
        text(
            """
            UPDATE message_recipients AS mr SET status = u.s, reason = u.reason, updated_at = :now
            FROM unnest(CAST(:m AS text[]), CAST(:r AS text[]), CAST(:s AS int[]),
                        CAST(:reason AS text[])) AS u(m, r, s, reason)
            WHERE mr.tenant_id = :t AND mr.message_id = u.m AND mr.recipient_id = u.r
            """
        ),
        {
            "t": tenant_id,
            "now": now,
            "m": [k[0] for k in keys],
            "r": [k[1] for k in keys],
            "s": [final[k][0] for k in keys],
            "reason": [final[k][1] for k in keys],
        },
    )
