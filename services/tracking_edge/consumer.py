"""Tracking edge consumers: raw hits → classified engagement events (with the recipient's
hit history), and recipient events → tracking opt-outs and erasure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC

from kafka import KafkaProducer
from opentelemetry.trace import SpanKind

from emailtrack.common import topics
from emailtrack.common.consuming import InvalidMessage, Record, event_batch, parse_message
from emailtrack.common.kafka_io import current_trace, publish_events
from emailtrack.common.telemetry import child_span, tracing_enabled
from emailtrack.v1 import events_pb2
from services.tracking_edge.classify import Classifier, HitFeatures, HitHistory, PriorHit, Verdict
from services.tracking_edge.store import StoredHit, TrackingEdgeStore

EVENT_NAMESPACE = uuid.UUID("0b6f4a52-7d1e-4c59-9a39-5f8cb1a0e5d1")
KIND_NAMES = {
    events_pb2.HIT_KIND_OPEN: "open",
    events_pb2.HIT_KIND_CLICK: "click",
    events_pb2.HIT_KIND_UNSUBSCRIBE: "unsubscribe",
}
EVENT_TYPES = {
    events_pb2.HIT_KIND_OPEN: events_pb2.EVENT_TYPE_EMAIL_OPEN,
    events_pb2.HIT_KIND_CLICK: events_pb2.EVENT_TYPE_EMAIL_CLICK,
    events_pb2.HIT_KIND_UNSUBSCRIBE: events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE,
}
SOURCES = {
    "human": events_pb2.HIT_SOURCE_HUMAN,
    "privacy_proxy": events_pb2.HIT_SOURCE_PRIVACY_PROXY,
    "security_scanner": events_pb2.HIT_SOURCE_SECURITY_SCANNER,
    "bot": events_pb2.HIT_SOURCE_BOT,
}


def event_id_for_hit(hit_id: str) -> str:
    """Deterministic, so that reprocessing a hit yields the same event (idempotent downstream)."""
    return str(uuid.uuid5(EVENT_NAMESPACE, hit_id))


def features(hit: events_pb2.RawHit) -> HitFeatures:
    claims = hit.claims
    return HitFeatures(
        kind=KIND_NAMES[claims.kind],
        http_method=hit.http_method,
        user_agent=hit.user_agent,
        client_ip=hit.client_ip,
        received_at=hit.received_at.ToDatetime(tzinfo=UTC),
        sent_at=claims.sent_at.ToDatetime(tzinfo=UTC) if claims.HasField("sent_at") else None,
        headers=dict(hit.headers),
        link_index=claims.link_index,
        honeypot=claims.honeypot,
    )


def engagement_event(hit: events_pb2.RawHit, verdict: Verdict) -> events_pb2.Event:
    claims = hit.claims
    event = events_pb2.Event(
        event_id=event_id_for_hit(hit.hit_id),
        type=EVENT_TYPES[claims.kind],
        tenant_id=claims.tenant_id,
        campaign_id=claims.campaign_id,
        message_id=claims.message_id,
        recipient_id=claims.recipient_id,
        sequence_step=claims.sequence_step,
        variant=claims.variant,
        trace=hit.trace,
    )
    event.occurred_at.CopyFrom(hit.received_at)
    if claims.kind == events_pb2.HIT_KIND_UNSUBSCRIBE:
        event.unsubscribe.address = claims.recipient_id
        event.unsubscribe.one_click = hit.one_click
        return event
    payload = event.engagement
    payload.classification.source = SOURCES[verdict.source]
    payload.classification.agent = verdict.agent
    payload.classification.machine_probability = verdict.machine_probability
    payload.classification.reasons.extend(verdict.reasons)
    payload.client.email_client = verdict.email_client
    payload.client.device = verdict.device
    payload.client.os = verdict.os
    payload.client.browser = verdict.browser
    payload.client.country = verdict.country
    payload.first = verdict.first
    payload.duplicate = verdict.duplicate
    payload.link_url = claims.link_url
    payload.link_index = claims.link_index
    payload.hit_id = hit.hit_id
    payload.user_agent = hit.user_agent
    payload.client_ip = hit.client_ip
    return event


def _prior(hit: StoredHit) -> PriorHit:
    return PriorHit(
        kind=KIND_NAMES.get(hit.kind, "open"),
        received_at=hit.received_at,
        link_index=hit.link_index,
        source=hit.source,
        honeypot=hit.honeypot,
    )


class RawHitHandler:
    """Classifies raw hits with their history, stores them, publishes engagement events."""

    def __init__(
        self, store: TrackingEdgeStore, classifier: Classifier, producer: KafkaProducer
    ) -> None:
        self.store = store
        self.classifier = classifier
        self.producer = producer

    def decode(self, record: Record) -> list[events_pb2.RawHit]:
        batch = parse_message(events_pb2.RawHitBatch, record.value)
        for hit in batch.hits:
            if not hit.hit_id or hit.claims.kind not in KIND_NAMES or not hit.claims.tenant_id:
                raise InvalidMessage("raw hit without id, tenant or known kind")
        return list(batch.hits)

    def handle(self, items: list[events_pb2.RawHit]) -> None:
        opted_out = self.store.opted_out((h.claims.tenant_id, h.claims.recipient_id) for h in items)
        hits = [h for h in items if (h.claims.tenant_id, h.claims.recipient_id) not in opted_out]
        hits.sort(key=lambda h: (h.received_at.seconds, h.received_at.nanos))
        keys = [(h.claims.tenant_id, h.claims.recipient_id, h.claims.message_id) for h in hits]
        history = self.store.history(keys)
        events: list[events_pb2.Event] = []
        stored: list[StoredHit] = []
        for hit, key in zip(hits, keys, strict=True):
            received_at = hit.received_at.ToDatetime(tzinfo=UTC)
            prior = [
                _prior(p)
                for p in history[key]
                if p.received_at < received_at and p.hit_id != hit.hit_id
            ]
            with child_span(
                f"process {topics.RAW_HITS}",
                hit.trace,
                SpanKind.CONSUMER,
                {"messaging.system": "kafka", "messaging.destination.name": topics.RAW_HITS},
            ):
                verdict = self.classifier.classify(features(hit), HitHistory(tuple(prior)))
                event = engagement_event(hit, verdict)
                if tracing_enabled():
                    event.trace.CopyFrom(current_trace())
            events.append(event)
            row = StoredHit(
                hit_id=hit.hit_id,
                tenant_id=key[0],
                message_id=hit.claims.message_id,
                recipient_id=key[1],
                kind=hit.claims.kind,
                link_index=hit.claims.link_index,
                received_at=received_at,
                source=verdict.source,
                honeypot=hit.claims.honeypot,
            )
            stored.append(row)
            history[key].append(row)
        self.store.record_hits(stored)
        publish_events(self.producer, topics.ENGAGEMENT_EVENTS, events, key=None)


@dataclass
class RecipientEventHandler:
    """Applies tracking opt-outs and erasure requests published by the recipient service."""

    store: TrackingEdgeStore

    def decode(self, record: Record) -> list[events_pb2.Event]:
        return event_batch(record.value)

    def handle(self, items: list[events_pb2.Event]) -> None:
        for event in items:
            at = event.occurred_at.ToDatetime(tzinfo=UTC)
            if event.type == events_pb2.EVENT_TYPE_RECIPIENT_TRACKING_OPT_OUT:
                self.store.set_opt_out(
                    event.tenant_id, event.recipient_id, event.privacy.tracking_opt_out, at
                )
            elif event.type == events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED:
                self.store.erase_recipient(event.tenant_id, event.recipient_id)
