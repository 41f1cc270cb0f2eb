"""Recipient-events consumer: an erase request deletes that recipient's outcomes."""

from __future__ import annotations

from emailtrack.common.consuming import InvalidMessage, Record, event_batch
from emailtrack.v1 import events_pb2
from services.bounce.store import OutcomeStore

Subject = tuple[str, str]


class EraseHandler:
    """ConsumerLoop handler for emailtrack.events.recipient.v1 (other event types ignored)."""

    def __init__(self, store: OutcomeStore) -> None:
        self.store = store

    def decode(self, record: Record) -> list[Subject]:
        events = event_batch(record.value)
        subjects = []
        for event in events:
            if event.type != events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED:
                continue
            if not event.tenant_id or not event.recipient_id:
                raise InvalidMessage(f"erase request {event.event_id} lacks tenant/recipient")
            subjects.append((event.tenant_id, event.recipient_id))
        return subjects

    def handle(self, items: list[Subject]) -> None:
        self.store.erase_recipients(items)
