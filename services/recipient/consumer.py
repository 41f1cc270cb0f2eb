"""Kafka handler for the engagement and delivery topics: unsubscribes, bounces, complaints
and delivery updates, applied idempotently by event id."""

from __future__ import annotations

from emailtrack.common.consuming import InvalidMessage, Record, event_batch
from emailtrack.v1 import events_pb2
from services.recipient.applying import RELEVANT_TYPES
from services.recipient.store.suppression import SuppressionStore


class RecipientEventHandler:
    """Keeps only the event types this service acts on; opens and clicks are skipped."""

    def __init__(self, store: SuppressionStore) -> None:
        self.store = store

    def decode(self, record: Record) -> list[events_pb2.Event]:
        events = event_batch(record.value)
        relevant = [e for e in events if e.type in RELEVANT_TYPES]
        for event in relevant:
            if not event.event_id or not event.tenant_id:
                raise InvalidMessage(f"event of type {event.type} without event_id or tenant_id")
        return relevant

    def handle(self, items: list[events_pb2.Event]) -> None:
        self.store.apply_events(items)
