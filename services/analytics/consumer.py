"""Analytics ingestion: EventBatch records from the event topics to rows, erasures,
campaign deletions and warmup rows, written idempotently in one transaction per polled batch."""

from __future__ import annotations

from opentelemetry.trace import SpanKind

from emailtrack.common.consuming import InvalidMessage, Record, event_batch
from emailtrack.common.telemetry import child_span, tracing_enabled
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
    """The rows and erasures of one EventBatch record; InvalidMessage when it is poison.
    While tracing is on, each event gets a consumer span continuing its trace."""
    events = event_batch(value)
    try:
        if not tracing_enabled():
            items = [decode_event(event) for event in events]
        else:
            items = []
            for event in events:
                with child_span(INGEST_SPAN, event.trace, SpanKind.CONSUMER, INGEST_ATTRIBUTES):
                    items.append(decode_event(event))
    except InvalidEvent as exc:
        raise InvalidMessage(str(exc)) from exc
    return [item for item in items if item is not None]


class EventIngestHandler:
    """ConsumerLoop handler: decode records, then one durable write per batch."""

    def __init__(self, store: AnalyticsStore) -> None:
        self.store = store

    def decode(self, record: Record) -> list[Item]:
        return decode_record(record.value)

    def handle(self, items: list[Item]) -> None:
        rows: list[EventRow] = []
        erasures: list[Erasure] = []
        deletions: list[CampaignDeletion] = []
        warmups: list[WarmupRow] = []
        for item in items:
            if isinstance(item, EventRow):
                rows.append(item)
            elif isinstance(item, Erasure):
                erasures.append(item)
            elif isinstance(item, CampaignDeletion):
                deletions.append(item)
            else:
                warmups.append(item)
        self.store.ingest(rows, erasures, deletions, warmups)
