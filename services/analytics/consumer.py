"""Analytics ingestion: EventBatch records from the event topics into the events table."""

from __future__ import annotations

from datetime import UTC

from google.protobuf.message import DecodeError

from emailtrack.common.consuming import InvalidMessage, Record
from emailtrack.v1 import events_pb2
from services.analytics.store import AnalyticsStore, EventRow


def event_row(event: events_pb2.Event) -> EventRow:
    if not event.event_id or not event.tenant_id:
        raise InvalidMessage("event without event_id or tenant_id")
    engagement = event.engagement if event.HasField("engagement") else None
    return EventRow(
        event_id=event.event_id,
        event_type=event.type,
        occurred_at=event.occurred_at.ToDatetime(tzinfo=UTC),
        tenant_id=event.tenant_id,
        campaign_id=event.campaign_id,
        message_id=event.message_id,
        recipient_id=event.recipient_id,
        source=engagement.classification.source if engagement else 0,
        first=engagement.first if engagement else False,
        link_url=engagement.link_url if engagement else "",
    )


class EventIngestHandler:
    """Decodes EventBatch records and writes their events idempotently."""

    def __init__(self, store: AnalyticsStore) -> None:
        self.store = store

    def decode(self, record: Record) -> list[EventRow]:
        batch = events_pb2.EventBatch()
        try:
            batch.ParseFromString(record.value)
        except DecodeError as exc:
            raise InvalidMessage(f"not an EventBatch: {exc}") from exc
        return [event_row(e) for e in batch.events]

    def handle(self, items: list[EventRow]) -> None:
        self.store.insert_events(items)
