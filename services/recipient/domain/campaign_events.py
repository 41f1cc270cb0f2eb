"""Events about campaigns, sending mailboxes and warmup that the recipient service
publishes (recipient topic), with deterministic ids."""

from __future__ import annotations

from datetime import datetime

from emailtrack.v1 import events_pb2
from services.recipient.domain.events import event_id

WARMUP_TYPES = {
    1: events_pb2.EVENT_TYPE_EMAIL_SENT,
    2: events_pb2.EVENT_TYPE_EMAIL_OPEN,
    3: events_pb2.EVENT_TYPE_EMAIL_REPLY,
}


def campaign_status_event(
    tenant_id: str,
    campaign_id: str,
    name: str,
    status: str,
    previous: str,
    change: int,
    at: datetime,
) -> events_pb2.Event:
    """``change`` is the campaign's status-change number: the same change, the same id."""
    event = events_pb2.Event(
        event_id=event_id("campaign", tenant_id, campaign_id, str(change), status),
        type=events_pb2.EVENT_TYPE_CAMPAIGN_STATUS_CHANGE,
        tenant_id=tenant_id,
        campaign_id=campaign_id,
    )
    event.occurred_at.FromDatetime(at)
    event.campaign_status.status = status
    event.campaign_status.previous_status = previous
    event.campaign_status.name = name
    return event


def health_event(
    tenant_id: str,
    mailbox: str,
    score: int,
    previous_score: int,
    band: str,
    previous_band: str,
    change: int,
    at: datetime,
) -> events_pb2.Event:
    """A mailbox crossed into ``band``; ``change`` numbers its band changes."""
    event = events_pb2.Event(
        event_id=event_id("health", tenant_id, mailbox, str(change), band),
        type=events_pb2.EVENT_TYPE_ACCOUNT_HEALTH_UPDATE,
        tenant_id=tenant_id,
        mailbox=mailbox,
    )
    event.occurred_at.FromDatetime(at)
    payload = event.account_health
    payload.mailbox = mailbox
    payload.score = score
    payload.previous_score = previous_score
    payload.band = band
    payload.previous_band = previous_band
    return event


def warmup_event(
    tenant_id: str,
    interaction_id: str,
    mailbox: str,
    partner_recipient_id: str,
    kind: int,
    at: datetime,
) -> events_pb2.Event:
    event = events_pb2.Event(
        event_id=event_id("warmup", tenant_id, interaction_id),
        type=WARMUP_TYPES[kind],
        tenant_id=tenant_id,
        recipient_id=partner_recipient_id,
        mailbox=mailbox,
        warmup=True,
    )
    event.occurred_at.FromDatetime(at)
    return event
