"""Applying consumed events exactly once (event ids remembered in the same transaction):
bounces, complaints and unsubscribes change suppression state, delivered/deferred events
move message status; plus the status-change write shared with the manual actions."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, text

from emailtrack.common import topics
from emailtrack.v1 import events_pb2
from services.recipient.domain.addresses import Address, normalise
from services.recipient.domain.delivery import DeliveryStatus, is_change
from services.recipient.domain.errors import InvalidArgument, InvalidTransition
from services.recipient.domain.events import suppression_event
from services.recipient.domain.suppression import (
    Decision,
    Fact,
    SoftBouncePolicy,
    decide,
    densest_window,
)
from services.recipient.outbox import enqueue
from services.recipient.store.rows import (
    RecipientRow,
    audit,
    ensure_recipients,
    lock_recipient,
    lock_subjects,
    subject_hash,
)

log = logging.getLogger(__name__)

BOUNCE_FACTS = {
    events_pb2.BOUNCE_TYPE_HARD: Fact.HARD_BOUNCE,
    events_pb2.BOUNCE_TYPE_SOFT: Fact.SOFT_BOUNCE,
}
DELIVERY_STATUSES = {
    events_pb2.EVENT_TYPE_EMAIL_DELIVERED: DeliveryStatus.DELIVERED,
    events_pb2.EVENT_TYPE_EMAIL_DEFERRED: DeliveryStatus.DEFERRED,
}
RELEVANT_TYPES = frozenset(
    {
        events_pb2.EVENT_TYPE_EMAIL_BOUNCE,
        events_pb2.EVENT_TYPE_EMAIL_COMPLAINT,
        events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE,
        *DELIVERY_STATUSES,
    }
)


@dataclass(frozen=True)
class SuppressionRules:
    soft_bounces: SoftBouncePolicy
    # Applied-event ids are kept this long; older events cannot be de-duplicated, so they
    # are ignored (a replay from further back changes nothing).
    retention: timedelta


@dataclass(frozen=True)
class Subject:
    """Who an event is about: the id, and the address when the event carries one."""

    recipient_id: str
    address: Address | None


def subject_of(event: events_pb2.Event) -> Subject:
    """Prefers the address (canonical id), else the event's recipient id; an unsubscribe's
    ``address`` is the token's recipient id unless it is an email address."""
    payload = event.WhichOneof("payload")
    raw = ""
    if payload == "delivery":
        raw = event.delivery.address
    elif payload == "unsubscribe":
        raw = event.unsubscribe.address
    if raw and "@" in raw:
        try:
            address = normalise(event.tenant_id, raw)
            return Subject(address.recipient_id, address)
        except InvalidArgument:
            log.info("event %s carries an invalid address; matching by id", event.event_id)
    return Subject(event.recipient_id or raw, None)


def apply_decision(
    conn: Connection,
    row: RecipientRow,
    decision: Decision | None,
    action: str,
    actor: str,
    cause_id: str | None = None,
) -> RecipientRow:
    """Stores a status change with its audit entry and SUPPRESSION_CHANGE event."""
    if decision is None:
        return row
    conn.execute(
        text(
            "UPDATE recipients SET status = :s, status_reason = :r "
            "WHERE tenant_id = :t AND recipient_id = :i"
        ),
        {
            "s": int(decision.status),
            "r": decision.reason,
            "t": row.tenant_id,
            "i": row.recipient_id,
        },
    )
    entry = audit(
        conn, row.tenant_id, row.recipient_id, action, decision.status, decision.reason, actor
    )
    event = suppression_event(
        row.tenant_id,
        row.recipient_id,
        row.email or "",
        decision.status,
        decision.reason,
        datetime.now(UTC),
        cause_id or f"audit-{entry}",
    )
    enqueue(conn, topics.RECIPIENT_EVENTS, [event])
    return RecipientRow(
        **{**row.__dict__, "status": decision.status, "status_reason": decision.reason}
    )


def subject_row(conn: Connection, tenant_id: str, subject: Subject) -> RecipientRow:
    if subject.address is not None:
        ensure_recipients(conn, tenant_id, [subject.address])
    else:
        conn.execute(
            text(
                "INSERT INTO recipients (tenant_id, recipient_id) VALUES (:t, :r) "
                "ON CONFLICT DO NOTHING"
            ),
            {"t": tenant_id, "r": subject.recipient_id},
        )
    row = lock_recipient(conn, tenant_id, subject.recipient_id)
    assert row is not None  # created above, in this transaction
    return row


def _new_events(
    conn: Connection, events: Sequence[events_pb2.Event], rules: SuppressionRules
) -> list[tuple[events_pb2.Event, Subject]]:
    horizon = datetime.now(UTC) - rules.retention
    candidates = [
        (e, subject_of(e))
        for e in events
        if e.type in RELEVANT_TYPES and e.occurred_at.ToDatetime(tzinfo=UTC) >= horizon
    ]
    candidates = [(e, s) for e, s in candidates if s.recipient_id]
    if not candidates:
        return []
    lock_subjects(conn, ((e.tenant_id, subject_hash(s.recipient_id)) for e, s in candidates))
    erased = {
        (t, h)
        for t, h in conn.execute(
            text(
                "SELECT tenant_id, subject_hash FROM erasures e JOIN unnest("
                "CAST(:t AS text[]), CAST(:h AS text[])) AS u(t, h) "
                "ON e.tenant_id = u.t AND e.subject_hash = u.h"
            ),
            {
                "t": [e.tenant_id for e, _ in candidates],
                "h": [subject_hash(s.recipient_id) for _, s in candidates],
            },
        ).all()
    }
    kept: list[tuple[events_pb2.Event, Subject]] = []
    seen: set[str] = set()
    for event, subject in candidates:
        if (
            event.event_id in seen
            or (event.tenant_id, subject_hash(subject.recipient_id)) in erased
        ):
            continue
        seen.add(event.event_id)
        kept.append((event, subject))
    if not kept:
        return []
    fresh = set(
        conn.execute(
            text(
                "INSERT INTO processed_events (event_id, occurred_at) "
                "SELECT * FROM unnest(CAST(:ids AS text[]), CAST(:at AS timestamptz[])) "
                "ON CONFLICT DO NOTHING RETURNING event_id"
            ),
            {
                "ids": [e.event_id for e, _ in kept],
                "at": [e.occurred_at.ToDatetime(tzinfo=UTC) for e, _ in kept],
            },
        ).scalars()
    )
    return [(e, s) for e, s in kept if e.event_id in fresh]


def _apply_delivery(conn: Connection, event: events_pb2.Event, subject: Subject) -> None:
    if not event.message_id:
        return
    params = {"t": event.tenant_id, "m": event.message_id, "r": subject.recipient_id}
    current = conn.execute(
        text(
            "SELECT status FROM message_recipients "
            "WHERE tenant_id = :t AND message_id = :m AND recipient_id = :r FOR UPDATE"
        ),
        params,
    ).scalar()
    target = DELIVERY_STATUSES[event.type]
    try:
        if current is None or not is_change(DeliveryStatus(current), target):
            return
    except InvalidTransition as exc:
        log.info("ignoring delivery event %s: %s", event.event_id, exc)
        return
    conn.execute(
        text(
            "UPDATE message_recipients SET status = :s, updated_at = now() "
            "WHERE tenant_id = :t AND message_id = :m AND recipient_id = :r"
        ),
        {**params, "s": int(target)},
    )


def _apply_one(
    conn: Connection, event: events_pb2.Event, subject: Subject, rules: SuppressionRules
) -> None:
    if event.type in DELIVERY_STATUSES:
        _apply_delivery(conn, event, subject)
        return
    if event.type == events_pb2.EVENT_TYPE_EMAIL_BOUNCE:
        fact = BOUNCE_FACTS.get(event.delivery.bounce_type)
        if fact is None:
            return
    elif event.type == events_pb2.EVENT_TYPE_EMAIL_COMPLAINT:
        fact = Fact.COMPLAINT
    else:
        fact = Fact.UNSUBSCRIBE
    row = subject_row(conn, event.tenant_id, subject)
    actor = f"event:{event.event_id}"
    if fact is Fact.UNSUBSCRIBE and event.unsubscribe.list_id:
        unsubscribe_from_list(conn, row, event.unsubscribe.list_id, actor)
        return
    in_window = 0
    if fact in (Fact.HARD_BOUNCE, Fact.SOFT_BOUNCE):
        in_window = _count_bounce(conn, event, row, fact, rules.soft_bounces)
    detail = event.delivery.reason or event.delivery.feedback_type
    decision = decide(row.status, fact, rules.soft_bounces, in_window, detail)
    apply_decision(conn, row, decision, fact.name.lower(), actor, event.event_id)


def _count_bounce(
    conn: Connection,
    event: events_pb2.Event,
    row: RecipientRow,
    fact: Fact,
    policy: SoftBouncePolicy,
) -> int:
    """Counts the bounce on the recipient; for a soft bounce, returns the densest window
    count around it (exact under replay and late arrival: bounces stored by event id)."""
    column = "hard_bounces" if fact is Fact.HARD_BOUNCE else "soft_bounces"
    ids = {"t": row.tenant_id, "r": row.recipient_id}
    conn.execute(
        text(
            f"UPDATE recipients SET {column} = {column} + 1 "
            "WHERE tenant_id = :t AND recipient_id = :r"
        ),
        ids,
    )
    if fact is Fact.HARD_BOUNCE:
        return 0
    at = event.occurred_at.ToDatetime(tzinfo=UTC)
    conn.execute(
        text(
            "INSERT INTO soft_bounces (event_id, tenant_id, recipient_id, occurred_at) "
            "VALUES (:e, :t, :r, :at) ON CONFLICT DO NOTHING"
        ),
        {**ids, "e": event.event_id, "at": at},
    )
    nearby = conn.execute(
        text(
            "SELECT occurred_at FROM soft_bounces WHERE tenant_id = :t AND recipient_id = :r "
            "AND occurred_at > :start AND occurred_at < :end"
        ),
        {**ids, "start": at - policy.window, "end": at + policy.window},
    ).scalars()
    return densest_window(list(nearby), policy.window)


def unsubscribe_from_list(conn: Connection, row: RecipientRow, list_id: str, actor: str) -> None:
    added = conn.execute(
        text(
            "INSERT INTO list_unsubscribes (tenant_id, recipient_id, list_id) "
            "VALUES (:t, :r, :l) ON CONFLICT DO NOTHING"
        ),
        {"t": row.tenant_id, "r": row.recipient_id, "l": list_id},
    ).rowcount
    if added:
        audit(
            conn,
            row.tenant_id,
            row.recipient_id,
            "list_unsubscribe",
            row.status,
            f"list:{list_id}",
            actor,
        )


def apply_events(
    conn: Connection, events: Sequence[events_pb2.Event], rules: SuppressionRules
) -> int:
    """Applies the events not seen before, in order, inside the caller's transaction;
    returns how many were applied."""
    fresh = _new_events(conn, events, rules)
    for event, subject in fresh:
        _apply_one(conn, event, subject, rules)
    return len(fresh)
