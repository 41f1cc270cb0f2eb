"""Analytics ingestion: EventBatch records from the event topics to rows, erasures,
campaign deletions and warmup rows, written idempotently in one transaction per polled batch."""

from __future__ import annotations

from opentelemetry.trace import SpanKind

from emailtrack.common.consuming import InvalidMessage, PoisonPart, Record, decode_events
from emailtrack.common.telemetry import child_span, tracing_enabled
from emailtrack.v1 import events_pb2
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


def decode_record(value: bytes) -> list[Item | PoisonPart]:
    """The rows and erasures of one EventBatch record, with a PoisonPart for each event that
    violates the contract; InvalidMessage when the record is not an EventBatch. While tracing
    is on, each event gets a consumer span continuing its trace."""
    return decode_events(value, _traced_item if tracing_enabled() else _item)


def _item(event: events_pb2.Event) -> tuple[Item, ...]:
    try:
        item = decode_event(event)
    except InvalidEvent as exc:
        raise InvalidMessage(str(exc)) from exc
    return () if item is None else (item,)


def _traced_item(event: events_pb2.Event) -> tuple[Item, ...]:
    with child_span(INGEST_SPAN, event.trace, SpanKind.CONSUMER, INGEST_ATTRIBUTES):
        return _item(event)


class EventIngestHandler:
    """ConsumerLoop handler: decode records, then one durable write per batch."""

    def __init__(self, store: AnalyticsStore) -> None:
        self.store = store

    def decode(self, record: Record) -> list[Item | PoisonPart]:
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
