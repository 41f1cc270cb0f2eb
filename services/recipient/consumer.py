"""Kafka handler for the engagement and delivery topics: unsubscribes, bounces, complaints
and delivery updates, applied idempotently by event id; a record whose headers declare none
of these types (an opens-and-clicks record) is committed past undecoded."""

from __future__ import annotations

from collections.abc import Sequence

from emailtrack.common.consuming import InvalidMessage, PoisonPart, Record, decode_events
from emailtrack.common.record_contents import RecordContents
from emailtrack.v1 import events_pb2
from services.recipient.applying import RELEVANT_TYPES
from services.recipient.store.suppression import SuppressionStore


def _relevant(event: events_pb2.Event) -> tuple[events_pb2.Event, ...]:
    """The event when the recipient service applies its type (it must carry its ids)."""
    if event.type not in RELEVANT_TYPES:
        return ()
    if not event.event_id or not event.tenant_id:
        raise InvalidMessage(f"event of type {event.type} without event_id or tenant_id")
    return (event,)


def holds_relevant_types(contents: RecordContents) -> bool:
    """Whether a record declaring these contents holds an event type this service applies."""
    return not RELEVANT_TYPES.isdisjoint(contents.event_types)


class RecipientEventHandler:
    """Keeps only the event types this service acts on; opens and clicks are skipped."""

    def __init__(self, store: SuppressionStore) -> None:
        self.store = store

    def wanted(self, declared: Sequence[RecordContents]) -> list[bool]:
        return [holds_relevant_types(contents) for contents in declared]

    def decode(self, record: Record) -> list[events_pb2.Event | PoisonPart]:
        return decode_events(record.value, _relevant)

    def handle(self, items: list[events_pb2.Event]) -> None:
        self.store.apply_events(items)
