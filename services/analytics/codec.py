"""Conversion between Kafka events and the rows analytics stores (pure, no I/O).

Only what the statistics and a recipient's export need is kept: no IP address, no user
agent, no e-mail address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

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


def decode_event(event: events_pb2.Event) -> Item | None:
    """The row (or erasure) an event stands for; None for event types analytics ignores and
    for events no campaign can be attributed to (e.g. a bounce whose original message carried
    no X-Emailtrack-Campaign header: the recipient service still applies it)."""
    if not event.event_id or not event.tenant_id:
        raise InvalidEvent("event without event_id or tenant_id")
    occurred_at = event.occurred_at.ToDatetime(tzinfo=UTC)
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
    if event.type not in STORED_TYPES:
        return None
    if event.warmup:
        if not event.mailbox:
            raise InvalidEvent(f"warmup event {event.event_id} has no mailbox")
        return WarmupRow(event.event_id, event.tenant_id, event.mailbox, event.type, occurred_at)
    if not event.campaign_id:
        return None
    if not event.HasField("occurred_at"):
        raise InvalidEvent(f"event {event.event_id} has no occurred_at")
    row = EventRow(
        event_id=event.event_id,
        event_type=event.type,
        occurred_at=occurred_at,
        tenant_id=event.tenant_id,
        campaign_id=event.campaign_id,
        message_id=event.message_id,
        recipient_id=event.recipient_id,
        sequence_step=event.sequence_step,
        variant=event.variant,
        mailbox=event.mailbox,
    )
    payload = event.WhichOneof("payload")
    if payload == "engagement":
        eng = event.engagement
        client = eng.client
        is_click = event.type == events_pb2.EVENT_TYPE_EMAIL_CLICK
        return row._replace(
            source=eng.classification.source,
            agent=eng.classification.agent,
            first=eng.first,
            duplicate=eng.duplicate,
            link_url=eng.link_url if is_click else "",
            link_index=eng.link_index if is_click else -1,
            email_client=client.email_client,
            device=client.device,
            os=client.os,
            country=client.country.upper(),
        )
    if payload == "delivery":
        return row._replace(bounce_type=event.delivery.bounce_type, reason=event.delivery.reason)
    return row


def event_from_row(row: EventRow) -> events_pb2.Event:
    """The stored part of an event, as an Event message (exports and live updates)."""
    event = events_pb2.Event(
        event_id=row.event_id,
        type=row.event_type,  # type: ignore[arg-type]
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
        eng.classification.source = row.source  # type: ignore[assignment]
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
        event.delivery.bounce_type = row.bounce_type  # type: ignore[assignment]
        event.delivery.reason = row.reason
    return event
