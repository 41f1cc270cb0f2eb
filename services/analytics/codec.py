"""Conversion between Kafka events and the rows analytics stores (pure, no I/O).

Only what the statistics and a recipient's export need is kept: no IP address, no user
agent, no e-mail address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import NamedTuple, get_type_hints

from emailtrack.v1 import events_pb2

# Event types that are facts about a sent message and go into the events table.
STORED_TYPES = frozenset(
    {
        events_pb2.EVENT_TYPE_EMAIL_OPEN,
        events_pb2.EVENT_TYPE_EMAIL_CLICK,
        events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE,
        events_pb2.EVENT_TYPE_EMAIL_SENT,
        events_pb2.EVENT_TYPE_EMAIL_DELIVERED,
        events_pb2.EVENT_TYPE_EMAIL_DEFERRED,
        events_pb2.EVENT_TYPE_EMAIL_BOUNCE,
        events_pb2.EVENT_TYPE_EMAIL_COMPLAINT,
        events_pb2.EVENT_TYPE_EMAIL_REPLY,
    }
)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NANOS_PER_SECOND = 1_000_000_000
# Values a smallint column holds: enum values beyond are rejected (binary COPY would wrap them).
SMALLINT = range(-(2**15), 2**15)


class InvalidEvent(ValueError):
    """An event that violates the contract (missing identifiers)."""


class EventRow(NamedTuple):
    """One stored event; a tuple in the column order of the events table (COPY-ready)."""

    event_id: str
    event_type: int
    occurred_at: datetime
    tenant_id: str
    campaign_id: str
    message_id: str
    recipient_id: str
    sequence_step: str = ""
    variant: str = ""
    source: int = 0
    agent: str = ""
    first: bool = False
    duplicate: bool = False
    link_url: str = ""
    link_index: int = -1
    email_client: str = ""
    device: str = ""
    os: str = ""
    country: str = ""
    bounce_type: int = 0
    reason: str = ""
    mailbox: str = ""


COLUMNS: tuple[str, ...] = EventRow._fields
_make_row = EventRow._make
_text_fields = itemgetter(
    *(i for i, name in enumerate(COLUMNS) if get_type_hints(EventRow)[name] is str)
)
NUL_REPLACEMENT = "\ufffd"


def new_row(values: tuple[object, ...]) -> EventRow:
    """An EventRow from all its fields in order (no keyword or default handling: faster).
    PostgreSQL text cannot hold NUL: one in a field (a bounce reason quoted from mail, an id
    from a webhook) becomes U+FFFD, so the row is stored instead of failing its whole batch.
    The text fields are searched joined: one C-level scan, no Python loop per field."""
    if "\x00" in "".join(_text_fields(values)):
        return _make_row(
            v.replace("\x00", NUL_REPLACEMENT) if isinstance(v, str) else v for v in values
        )
    return _make_row(values)


@dataclass(frozen=True)
class Erasure:
    """A recipient asked to be forgotten (RECIPIENT_ERASE_REQUESTED)."""

    tenant_id: str
    recipient_id: str
    requested_at: datetime


@dataclass(frozen=True)
class CampaignDeletion:
    """A campaign was deleted (CAMPAIGN_STATUS_CHANGE to "deleted")."""

    tenant_id: str
    campaign_id: str
    deleted_at: datetime


class WarmupRow(NamedTuple):
    """A warmup interaction: counted per mailbox and day, never in campaign statistics."""

    event_id: str
    tenant_id: str
    mailbox: str
    event_type: int
    occurred_at: datetime


Item = EventRow | Erasure | CampaignDeletion | WarmupRow


def occurred_at_of(event: events_pb2.Event) -> datetime:
    """The event time as an aware UTC datetime (what Timestamp.ToDatetime gives, faster: one
    timedelta added to the epoch); InvalidEvent when it is not a valid timestamp."""
    stamp = event.occurred_at
    nanos = stamp.nanos
    if not 0 <= nanos < NANOS_PER_SECOND:
        raise InvalidEvent(f"event {event.event_id} has an invalid occurred_at: nanos {nanos}")
    try:
        return EPOCH + timedelta(0, stamp.seconds, nanos // 1000)  # positional: cheaper
    except OverflowError as exc:
        raise InvalidEvent(f"event {event.event_id} has an invalid occurred_at: {exc}") from exc


def decode_event(event: events_pb2.Event) -> Item | None:
    """The row (or erasure) an event stands for; None for event types analytics ignores and
    for events no campaign can be attributed to (e.g. a bounce whose original message carried
    no X-Emailtrack-Campaign header: the recipient service still applies it). Called once per
    consumed event: the row is built in one go, from its fields in column order."""
    event_id, tenant_id, kind = event.event_id, event.tenant_id, event.type
    if not event_id or not tenant_id:
        raise InvalidEvent("event without event_id or tenant_id")
    occurred_at = occurred_at_of(event)
    if kind not in STORED_TYPES:
        return _control(event, occurred_at)
    if event.warmup:
        if not event.mailbox:
            raise InvalidEvent(f"warmup event {event_id} has no mailbox")
        return WarmupRow(event_id, tenant_id, event.mailbox, kind, occurred_at)
    campaign_id = event.campaign_id
    if not campaign_id:
        return None
    if not event.HasField("occurred_at"):
        raise InvalidEvent(f"event {event_id} has no occurred_at")
    payload = event.WhichOneof("payload")
    if payload == "engagement":
        eng = event.engagement
        client, classification = eng.client, eng.classification
        link_url, link_index = "", -1
        if kind == events_pb2.EVENT_TYPE_EMAIL_CLICK:
            link_url, link_index = eng.link_url, eng.link_index
        source = classification.source
        if source not in SMALLINT:
            raise InvalidEvent(f"event {event_id} has an unknown source {source}")
        return new_row(
            (
                event_id,
                kind,
                occurred_at,
                tenant_id,
                campaign_id,
                event.message_id,
                event.recipient_id,
                event.sequence_step,
                event.variant,
                source,
                classification.agent,
                eng.first,
                eng.duplicate,
                link_url,
                link_index,
                client.email_client,
                client.device,
                client.os,
                client.country.upper(),
                0,
                "",
                event.mailbox,
            )
        )
    bounce_type, reason = 0, ""
    if payload == "delivery":
        delivery = event.delivery
        bounce_type, reason = delivery.bounce_type, delivery.reason
        if bounce_type not in SMALLINT:
            raise InvalidEvent(f"event {event_id} has an unknown bounce type {bounce_type}")
    return new_row(
        (
            event_id,
            kind,
            occurred_at,
            tenant_id,
            campaign_id,
            event.message_id,
            event.recipient_id,
            event.sequence_step,
            event.variant,
            0,
            "",
            False,
            False,
            "",
            -1,
            "",
            "",
            "",
            "",
            bounce_type,
            reason,
            event.mailbox,
        )
    )


def _control(event: events_pb2.Event, occurred_at: datetime) -> Item | None:
    """Erasure requests and campaign deletions; None for the other non-stored types."""
    if event.type == events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED:
        if not event.recipient_id:
            raise InvalidEvent("erase request without recipient_id")
        return Erasure(event.tenant_id, event.recipient_id, occurred_at)
    if event.type == events_pb2.EVENT_TYPE_CAMPAIGN_STATUS_CHANGE:
        if event.campaign_status.status != "deleted":
            return None
        if not event.campaign_id:
            raise InvalidEvent("campaign deletion without campaign_id")
        return CampaignDeletion(event.tenant_id, event.campaign_id, occurred_at)
    return None


def event_from_row(row: EventRow) -> events_pb2.Event:
    """The stored part of an event, as an Event message (exports and live updates)."""
    event = events_pb2.Event(
        event_id=row.event_id,
        type=row.event_type,  # type: ignore[arg-type]  # an enum value stored as int
        tenant_id=row.tenant_id,
        campaign_id=row.campaign_id,
        message_id=row.message_id,
        recipient_id=row.recipient_id,
        sequence_step=row.sequence_step,
        variant=row.variant,
        mailbox=row.mailbox,
    )
    event.occurred_at.FromDatetime(row.occurred_at)
    if row.event_type in (events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.EVENT_TYPE_EMAIL_CLICK):
        eng = event.engagement
        eng.classification.source = row.source  # type: ignore[assignment]  # an enum value stored as int
        eng.classification.agent = row.agent
        eng.first = row.first
        eng.duplicate = row.duplicate
        eng.link_url = row.link_url
        eng.link_index = max(row.link_index, 0)
        eng.client.email_client = row.email_client
        eng.client.device = row.device
        eng.client.os = row.os
        eng.client.country = row.country
    elif row.bounce_type or row.reason:
        event.delivery.bounce_type = row.bounce_type  # type: ignore[assignment]  # an enum value stored as int
        event.delivery.reason = row.reason
    return event
