"""Events the recipient service publishes, with deterministic ids so that a re-publication
(at-least-once outbox relay) is absorbed by every consumer's event-id key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from emailtrack.v1 import events_pb2
from services.recipient.domain.delivery import DeliveryStatus
from services.recipient.domain.suppression import RecipientStatus

EVENT_NAMESPACE = uuid.UUID("5d0c3f3e-4a0b-4f8e-9a57-2f3b8f0c6e21")

DELIVERY_EVENT_TYPES = {
    DeliveryStatus.SENT: events_pb2.EVENT_TYPE_EMAIL_SENT,
    DeliveryStatus.DELIVERED: events_pb2.EVENT_TYPE_EMAIL_DELIVERED,
    DeliveryStatus.DEFERRED: events_pb2.EVENT_TYPE_EMAIL_DEFERRED,
    DeliveryStatus.FAILED: events_pb2.EVENT_TYPE_EMAIL_BOUNCE,
}


def event_id(*parts: str) -> str:
    return str(uuid.uuid5(EVENT_NAMESPACE, "\x00".join(parts)))


def _envelope(
    event_type: events_pb2.EventType, eid: str, tenant_id: str, recipient_id: str, at: datetime
) -> events_pb2.Event:
    event = events_pb2.Event(
        event_id=eid, type=event_type, tenant_id=tenant_id, recipient_id=recipient_id
    )
    event.occurred_at.FromDatetime(at)
    return event


@dataclass(frozen=True)
class MessageFacts:
    """What a delivery event says about the message it belongs to."""

    tenant_id: str
    message_id: str
    campaign_id: str
    sequence_step: str
    variant: str
    mailbox: str = ""
    warmup: bool = False


def delivery_event(
    message: MessageFacts,
    recipient_id: str,
    email: str,
    status: DeliveryStatus,
    at: datetime,
    reason: str = "",
    bounce_type: int = events_pb2.BOUNCE_TYPE_UNSPECIFIED,
) -> events_pb2.Event:
    event_type = DELIVERY_EVENT_TYPES[status]
    eid = event_id("delivery", message.tenant_id, message.message_id, recipient_id, str(event_type))
    event = _envelope(event_type, eid, message.tenant_id, recipient_id, at)
    event.campaign_id = message.campaign_id
    event.message_id = message.message_id
    event.sequence_step = message.sequence_step
    event.variant = message.variant
    event.mailbox = message.mailbox
    event.warmup = message.warmup
    event.delivery.address = email
    event.delivery.reason = reason
    event.delivery.bounce_type = bounce_type  # type: ignore[assignment]  # an enum value stored as int
    event.delivery.source = "api"
    return event


def suppression_event(
    tenant_id: str,
    recipient_id: str,
    email: str,
    status: RecipientStatus,
    reason: str,
    at: datetime,
    cause_id: str,
) -> events_pb2.Event:
    """``cause_id`` names what caused the change (a consumed event id or an audit entry)."""
    event = _envelope(
        events_pb2.EVENT_TYPE_RECIPIENT_SUPPRESSION_CHANGE,
        event_id("suppression", tenant_id, recipient_id, cause_id),
        tenant_id,
        recipient_id,
        at,
    )
    event.suppression.address = email
    event.suppression.status = status.name.lower()
    event.suppression.reason = reason
    return event


def tracking_opt_out_event(
    tenant_id: str, recipient_id: str, email: str, opt_out: bool, at: datetime
) -> events_pb2.Event:
    event = _envelope(
        events_pb2.EVENT_TYPE_RECIPIENT_TRACKING_OPT_OUT,
        event_id("opt-out", tenant_id, recipient_id, str(opt_out), at.isoformat()),
        tenant_id,
        recipient_id,
        at,
    )
    event.privacy.address = email
    event.privacy.tracking_opt_out = opt_out
    return event


def erase_event(tenant_id: str, recipient_id: str, at: datetime) -> events_pb2.Event:
    """Carries only the recipient id: consumers erase what they hold under it."""
    return _envelope(
        events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED,
        event_id("erase", tenant_id, recipient_id, at.isoformat()),
        tenant_id,
        recipient_id,
        at,
    )
