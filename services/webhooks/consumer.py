"""Event-topics consumer: each published event (delivered, bounced, deferred, complained,
unsubscribed, opened, clicked, replied, suppressed) becomes one delivery row per endpoint of
its tenant whose filter wants it, written before ConsumerLoop commits the offset; an erase
request deletes the recipient's deliveries. Idempotent: (endpoint, public event id) is
unique, and a delivery, bounce or complaint reported by two services has one public id, so
the first report is delivered and the second absorbed. A record whose headers declare event
types and tenants that no endpoint's filter can want (read once per poll, as fresh as the
endpoints ``handle`` reads) and no erase request is committed past undecoded."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from emailtrack.common.consuming import InvalidMessage, PoisonPart, Record, decode_events
from emailtrack.common.record_contents import RecordContents
from emailtrack.v1 import events_pb2
from services.webhooks.domain.events import (
    PUBLIC_TYPES,
    filter_types,
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
_ERASE = events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED


def _item(event: events_pb2.Event) -> tuple[Item, ...]:
    """An erasure, the event itself when it is published, or nothing."""
    if event.type == _ERASE:
        if not event.tenant_id or not event.recipient_id:
            raise InvalidMessage(f"erase request {event.event_id} lacks tenant/recipient")
        return (Erasure(event.tenant_id, event.recipient_id),)
    if is_published(event):
        if not event.event_id:
            raise InvalidMessage("event without an id")
        return (event,)
    return ()


def tenants_to_read(declared: Sequence[RecordContents]) -> set[str] | None:
    """The tenants whose endpoint filters decide which records are wanted (None: every
    tenant, when a record does not list its tenants)."""
    if any(contents.tenants is None for contents in declared):
        return None
    return {tenant for contents in declared for tenant in contents.tenants or ()}


def records_wanted(
    declared: Sequence[RecordContents], filters: Sequence[tuple[str, Sequence[str]]]
) -> list[bool]:
    """For each record, whether it must be decoded: it holds an erase request, or a type
    the filter of an endpoint (tenant, filter) of one of its tenants may want (of any
    tenant when they are not listed)."""
    subscribed: dict[str, set[int]] = {}
    for tenant, entries in filters:
        subscribed.setdefault(tenant, set()).update(filter_types(entries))
    verdicts = []
    for contents in declared:
        tenants = subscribed.keys() if contents.tenants is None else contents.tenants
        wanted = {kind for tenant in tenants for kind in subscribed.get(tenant, ())}
        types = contents.event_types
        verdicts.append(_ERASE in types or not types.isdisjoint(wanted))
    return verdicts


class EventHandler:
    """ConsumerLoop handler for the delivery, engagement and recipient event topics."""

    def __init__(self, endpoints: EndpointStore, deliveries: DeliveryStore) -> None:
        self.endpoints = endpoints
        self.deliveries = deliveries

    def wanted(self, declared: Sequence[RecordContents]) -> list[bool]:
        if all(contents.event_types.isdisjoint(PUBLIC_TYPES) for contents in declared):
            return records_wanted(declared, [])
        return records_wanted(declared, self.endpoints.filters(tenants_to_read(declared)))

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
