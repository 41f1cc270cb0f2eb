"""The public event names of outbound webhooks and the endpoint filter: which internal
event types are published, under what name, and whether a filter entry such as
"bounced:hard" or "opened:human" selects an event; and the public event id (the webhook-id
header), which is one per fact even when two services report the same fact."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from emailtrack.v1 import events_pb2

# Internal event type -> (filter name, public payload type).
PUBLIC_TYPES: dict[int, tuple[str, str]] = {
    events_pb2.EVENT_TYPE_EMAIL_DELIVERED: ("delivered", "email.delivered"),
    events_pb2.EVENT_TYPE_EMAIL_BOUNCE: ("bounced", "email.bounced"),
    events_pb2.EVENT_TYPE_EMAIL_DEFERRED: ("deferred", "email.deferred"),
    events_pb2.EVENT_TYPE_EMAIL_COMPLAINT: ("complained", "email.complained"),
    events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE: ("unsubscribed", "email.unsubscribed"),
    events_pb2.EVENT_TYPE_EMAIL_OPEN: ("opened", "email.opened"),
    events_pb2.EVENT_TYPE_EMAIL_CLICK: ("clicked", "email.clicked"),
    events_pb2.EVENT_TYPE_EMAIL_REPLY: ("replied", "email.replied"),
    events_pb2.EVENT_TYPE_RECIPIENT_SUPPRESSION_CHANGE: ("suppressed", "recipient.suppressed"),
}

# The qualifier each filter name accepts after a colon.
QUALIFIERS: dict[str, frozenset[str]] = {
    "bounced": frozenset({"hard", "soft"}),
    "opened": frozenset({"human", "machine"}),
    "clicked": frozenset({"human", "machine"}),
}
# Outcomes a message has at most once per recipient, which both the bounce service (DSN, ARF,
# ESP webhook) and the sender (recipient MarkDelivered / MarkFailed) may report under ids of
# their own: the public id comes from what identifies the fact instead.
ONCE_PER_MESSAGE = frozenset(
    {
        events_pb2.EVENT_TYPE_EMAIL_DELIVERED,
        events_pb2.EVENT_TYPE_EMAIL_BOUNCE,
        events_pb2.EVENT_TYPE_EMAIL_COMPLAINT,
    }
)
_PUBLIC_ID_NAMESPACE = uuid.UUID("8c1b6f0e-2f4d-4b7a-9a5e-6d1c0b3e7f29")
FILTER_NAMES = frozenset(name for name, _ in PUBLIC_TYPES.values())
MAX_FILTER_ENTRIES = 32


class InvalidFilter(ValueError):
    """An event filter entry that names no public event or qualifier."""


def normalise_filter(entries: Iterable[str]) -> list[str]:
    """The filter's entries, lower-cased, validated and de-duplicated (sorted)."""
    cleaned: set[str] = set()
    for raw in entries:
        entry = raw.strip().lower()
        name, _, qualifier = entry.partition(":")
        if name not in FILTER_NAMES:
            raise InvalidFilter(f"unknown event {raw!r} (expected one of {sorted(FILTER_NAMES)})")
        if qualifier and qualifier not in QUALIFIERS.get(name, frozenset()):
            allowed = sorted(QUALIFIERS.get(name, frozenset()))
            raise InvalidFilter(f"event {name!r} takes no qualifier {qualifier!r} ({allowed})")
        cleaned.add(entry)
    if len(cleaned) > MAX_FILTER_ENTRIES:
        raise InvalidFilter(f"at most {MAX_FILTER_ENTRIES} filter entries")
    return sorted(cleaned)


def filter_types(entries: Iterable[str]) -> frozenset[int]:
    """The event types an endpoint with this (normalised) filter may want: every public type
    for an empty filter; qualifiers are ignored, so it may be more than ``matches`` accepts,
    never less."""
    names = {entry.partition(":")[0] for entry in entries}
    if not names:
        return frozenset(PUBLIC_TYPES)
    return frozenset(kind for kind, (name, _) in PUBLIC_TYPES.items() if name in names)


def is_machine(event: events_pb2.Event) -> bool:
    """The machine verdict of an open or click: anything but a human (proxy, scanner, bot)."""
    source = event.engagement.classification.source
    return source not in (events_pb2.HIT_SOURCE_HUMAN, events_pb2.HIT_SOURCE_UNSPECIFIED)


def qualifier_of(event: events_pb2.Event) -> str:
    """The value a qualified filter entry is compared with ("" when the type has none)."""
    if event.type == events_pb2.EVENT_TYPE_EMAIL_BOUNCE:
        bounce = event.delivery.bounce_type
        return {events_pb2.BOUNCE_TYPE_HARD: "hard", events_pb2.BOUNCE_TYPE_SOFT: "soft"}.get(
            bounce, ""
        )
    if event.type in (events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.EVENT_TYPE_EMAIL_CLICK):
        return "machine" if is_machine(event) else "human"
    return ""


def is_published(event: events_pb2.Event) -> bool:
    """Whether outbound webhooks carry this event at all: never warmup traffic, nor a reload
    inside the duplicate window (analytics leaves those out of totals too)."""
    if event.type not in PUBLIC_TYPES or not event.tenant_id or event.warmup:
        return False
    return not (event.WhichOneof("payload") == "engagement" and event.engagement.duplicate)


def matches(entries: Iterable[str], event: events_pb2.Event) -> bool:
    """Whether an endpoint with this (normalised) filter wants ``event``; empty wants all."""
    wanted = list(entries)
    if not is_published(event):
        return False
    if not wanted:
        return True
    name = PUBLIC_TYPES[event.type][0]
    qualifier = qualifier_of(event)
    return name in wanted or (bool(qualifier) and f"{name}:{qualifier}" in wanted)


def public_event_id(event: events_pb2.Event) -> str:
    """The webhook-id of ``event``: for a delivery, bounce or complaint of a known message
    and recipient, derived from (tenant, message, recipient, type), so the same outcome
    reported twice is delivered once; otherwise the internal event id."""
    if event.type not in ONCE_PER_MESSAGE or not event.message_id or not event.recipient_id:
        return event.event_id
    name = PUBLIC_TYPES[event.type][1]
    key = "\x1f".join((event.tenant_id, event.message_id, event.recipient_id, name))
    return "evt_" + uuid.uuid5(_PUBLIC_ID_NAMESPACE, key).hex
