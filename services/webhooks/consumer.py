"""Event-topics consumer: each published event (delivered, bounced, deferred, complained,
unsubscribed, opened, clicked, replied, suppressed) becomes one delivery row per endpoint of
its tenant whose filter wants it, written before ConsumerLoop commits the offset; an erase
request deletes the recipient's deliveries. Idempotent: (endpoint, public event id) is
unique, and a delivery, bounce or complaint reported by two services has one public id, so
the first report is delivered and the second absorbed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC

from emailtrack.common.consuming import InvalidMessage, PoisonPart, Record, decode_events
from emailtrack.v1 import events_pb2
from services.webhooks.domain.events import (
    PUBLIC_TYPES,
    is_published,
    matches,
    public_event_id,
)
from services.webhooks.domain.payload import build_payload
from services.webhooks.store.deliveries import DeliveryStore, NewDelivery
from services.webhooks.store.endpoints import EndpointStore


@dataclass(frozen=True)
class Erasure:
    tenant_id: str
    recipient_id: str


Item = events_pb2.Event | Erasure


def _item(event: events_pb2.Event) -> tuple[Item, ...]:
    """An erasure, the event itself when it is published, or nothing."""
    if event.type == events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED:
        if not event.tenant_id or not event.recipient_id:
            raise InvalidMessage(f"erase request {event.event_id} lacks tenant/recipient")
        return (Erasure(event.tenant_id, event.recipient_id),)
    if is_published(event):
        if not event.event_id:
            raise InvalidMessage("event without an id")
        return (event,)
    return ()


class EventHandler:
    """ConsumerLoop handler for the delivery, engagement and recipient event topics."""

    def __init__(self, endpoints: EndpointStore, deliveries: DeliveryStore) -> None:
        self.endpoints = endpoints
        self.deliveries = deliveries

    def decode(self, record: Record) -> list[Item | PoisonPart]:
        return decode_events(record.value, _item)

    def handle(self, items: list[Item]) -> None:
        events = [i for i in items if isinstance(i, events_pb2.Event)]
        erasures = [(i.tenant_id, i.recipient_id) for i in items if isinstance(i, Erasure)]
        rows: list[NewDelivery] = []
        if events:
            endpoints = self.endpoints.for_tenants({e.tenant_id for e in events})
            for event in events:
                payload: str | None = None
                for endpoint in endpoints:
                    if endpoint.tenant_id != event.tenant_id or not matches(endpoint.events, event):
                        continue
                    payload = payload or json.dumps(build_payload(event), separators=(",", ":"))
                    rows.append(
                        NewDelivery(
                            endpoint.endpoint_id,
                            event.tenant_id,
                            public_event_id(event),
                            PUBLIC_TYPES[event.type][1],
                            event.recipient_id,
                            payload,
                            event.occurred_at.ToDatetime(tzinfo=UTC),
                        )
                    )
        self.deliveries.enqueue(rows)
        self.deliveries.erase_recipients(erasures)
