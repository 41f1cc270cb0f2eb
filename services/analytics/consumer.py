"""Analytics ingestion: EventBatch records from the event topics to rows, erasures,
campaign deletions and warmup rows, written idempotently in one transaction per polled batch."""

from __future__ import annotations

from opentelemetry.trace import SpanKind

from emailtrack.common.consuming import InvalidMessage, Record, event_batch
from emailtrack.common.telemetry import child_span
from services.analytics.codec import (
    CampaignDeletion,
    Erasure,
    EventRow,
    InvalidEvent,
    Item,
    WarmupRow,
    decode_event,
)
from services.analytics.store import AnalyticsStore

INGEST_SPAN = "analytics ingest event"
INGEST_ATTRIBUTES: dict[str, str | int] = {"messaging.system": "kafka"}


def decode_record(value: bytes) -> list[Item]:
    """The rows and erasures of one EventBatch record; InvalidMessage when it is poison."""
    items: list[Item] = []
    for event in event_batch(value):
        with child_span(INGEST_SPAN, event.trace, SpanKind.CONSUMER, INGEST_ATTRIBUTES):
            try:
                item = decode_event(event)
            except InvalidEvent as exc:
                raise InvalidMessage(str(exc)) from exc
        if item is not None:
            items.append(item)
    return items


class EventIngestHandler:
    """ConsumerLoop handler: decode records, then one durable write per batch."""

    def __init__(self, store: AnalyticsStore) -> None:
        self.store = store

    def decode(self, record: Record) -> list[Item]:
        return decode_record(record.value)

    def handle(self, items: list[Item]) -> None:
        rows = [item for item in items if isinstance(item, EventRow)]
        erasures = [item for item in items if isinstance(item, Erasure)]
        deletions = [item for item in items if isinstance(item, CampaignDeletion)]
        warmups = [item for item in items if isinstance(item, WarmupRow)]
        self.store.ingest(rows, erasures, deletions, warmups)
