"""Recipient-events consumer: an erase request deletes that recipient's outcomes; a campaign
deleted (CAMPAIGN_STATUS_CHANGE to "deleted") deletes the campaign's outcomes."""

from __future__ import annotations

from typing import Literal

from emailtrack.common.consuming import InvalidMessage, PoisonPart, Record, decode_events
from emailtrack.v1 import events_pb2
from services.bounce.store import OutcomeStore

# ("recipient", tenant, recipient id) or ("campaign", tenant, campaign id).
Subject = tuple[Literal["recipient", "campaign"], str, str]


def _subjects(event: events_pb2.Event) -> tuple[Subject, ...]:
    """What an erase request or a campaign deletion removes (other events: nothing)."""
    if event.type == events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED:
        if not event.tenant_id or not event.recipient_id:
            raise InvalidMessage(f"erase request {event.event_id} lacks tenant/recipient")
        return (("recipient", event.tenant_id, event.recipient_id),)
    if (
        event.type == events_pb2.EVENT_TYPE_CAMPAIGN_STATUS_CHANGE
        and event.campaign_status.status == "deleted"
    ):
        if not event.tenant_id or not event.campaign_id:
            raise InvalidMessage(f"campaign deletion {event.event_id} lacks ids")
        return (("campaign", event.tenant_id, event.campaign_id),)
    return ()


class EraseHandler:
    """ConsumerLoop handler for emailtrack.events.recipient.v1 (other event types ignored)."""

    def __init__(self, store: OutcomeStore) -> None:
        self.store = store

    def decode(self, record: Record) -> list[Subject | PoisonPart]:
        return decode_events(record.value, _subjects)

    def handle(self, items: list[Subject]) -> None:
        self.store.erase_recipients([(t, i) for kind, t, i in items if kind == "recipient"])
        self.store.delete_campaigns([(t, i) for kind, t, i in items if kind == "campaign"])
