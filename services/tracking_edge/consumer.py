"""Tracking edge consumers: raw hits → classified engagement events (with the recipient's
hit history), and recipient events → tracking opt-outs and erasure.

A batch of raw hits costs two statements whatever its size (history with opt-outs, then the
hits); per hit, only the classification and the event are built (no span without tracing).
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from google.protobuf.timestamp_pb2 import Timestamp
from kafka import KafkaProducer
from opentelemetry.trace import SpanKind

from emailtrack.common import topics
from emailtrack.common.consuming import (
    InvalidMessage,
    PoisonPart,
    Record,
    decode_each,
    event_batch,
    parse_message,
)
from emailtrack.common.kafka_io import current_trace, publish_events
from emailtrack.common.telemetry import child_span, tracing_enabled
from emailtrack.v1 import events_pb2
from services.tracking_edge.domain.classify import (
    DEFAULT_DUPLICATE_WINDOW,
    Classifier,
    HitFeatures,
    HitHistory,
    PriorHit,
    Verdict,
)
from services.tracking_edge.domain.classify.history import (
    Earlier,
    add_in_received_order,
    in_received_order,
    prior_hits,
)
from services.tracking_edge.domain.classify.types import HitKind
from services.tracking_edge.domain.classify.velocity import AddressVelocity
from services.tracking_edge.domain.privacy import IpTruncation
from services.tracking_edge.store import HistoryKey, PastHit, StoredHit, TrackingEdgeStore

EVENT_NAMESPACE = uuid.UUID("0b6f4a52-7d1e-4c59-9a39-5f8cb1a0e5d1")
KIND_NAMES: dict[int, HitKind] = {
    events_pb2.HIT_KIND_OPEN: "open",
    events_pb2.HIT_KIND_CLICK: "click",
    events_pb2.HIT_KIND_UNSUBSCRIBE: "unsubscribe",
}
EVENT_TYPES = {
    "open": events_pb2.EVENT_TYPE_EMAIL_OPEN,
    "click": events_pb2.EVENT_TYPE_EMAIL_CLICK,
    "unsubscribe": events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE,
}
SOURCES = {
    "human": events_pb2.HIT_SOURCE_HUMAN,
    "privacy_proxy": events_pb2.HIT_SOURCE_PRIVACY_PROXY,
    "security_scanner": events_pb2.HIT_SOURCE_SECURITY_SCANNER,
    "bot": events_pb2.HIT_SOURCE_BOT,
}
SPAN_NAME = f"process {topics.RAW_HITS}"
SPAN_ATTRIBUTES: dict[str, str | int] = {
    "messaging.system": "kafka",
    "messaging.destination.name": topics.RAW_HITS,
}
_EVENT_ID_PREFIX = hashlib.sha1(EVENT_NAMESPACE.bytes, usedforsecurity=False)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The range of google.protobuf.Timestamp (0001-01-01 to 9999-12-31).
_MIN_SECONDS, _MAX_SECONDS = -62_135_596_800, 253_402_300_799


# The first hex digit of the UUID's clock_seq_hi field once its two variant bits are set.
_VARIANT_DIGIT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def event_id_for_hit(hit_id: str) -> str:
    """Deterministic, so that reprocessing a hit yields the same event (idempotent downstream):
    ``str(uuid.uuid5(EVENT_NAMESPACE, hit_id))``, formatted from the SHA-1 hex digest (the
    version digit 5 and the RFC 4122 variant bits replace theirs) without building bytes."""
    digest = _EVENT_ID_PREFIX.copy()
    digest.update(hit_id.encode())
    h = digest.hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:32]}"


def valid_timestamp(stamp: Timestamp) -> bool:
    return _MIN_SECONDS <= stamp.seconds <= _MAX_SECONDS and 0 <= stamp.nanos < 1_000_000_000


def to_datetime(stamp: Timestamp) -> datetime:
    """``stamp.ToDatetime(tzinfo=UTC)`` for a valid timestamp (checked in ``decode``)."""
    return _EPOCH + timedelta(0, stamp.seconds, stamp.nanos // 1000)  # positional: cheaper


ADDRESS_CACHE = 65_536
SEND_TIMES_CACHE = 4096
# Hits repeat a few thousand combinations of what the verdict says of the client (source,
# agent, reasons, client, country): each one's event fields are encoded once.
VERDICT_FIELDS_CACHE = 4096


@lru_cache(maxsize=VERDICT_FIELDS_CACHE)
def encoded_verdict_fields(
    source: str,
    agent: str,
    machine_probability: float,
    reasons: tuple[str, ...],
    email_client: str,
    device: str,
    os: str,
    browser: str,
    country: str,
) -> bytes:
    """An encoded Event holding only ``engagement.classification`` and ``engagement.client``
    as these verdict fields set them; merged into each event (protobuf merges a message's
    encoding field by field), it sets them as assigning each field would."""
    event = events_pb2.Event()
    classification = event.engagement.classification
    classification.source = SOURCES[source]
    classification.agent = agent
    classification.machine_probability = machine_probability
    classification.reasons.extend(reasons)
    client = event.engagement.client
    client.email_client = email_client
    client.device = device
    client.os = os
    client.browser = browser
    client.country = country
    return event.SerializeToString()


@lru_cache(maxsize=SEND_TIMES_CACHE)
def sent_datetime(seconds: int, nanos: int) -> datetime:
    """``to_datetime`` of a send time, cached: the hits of one send share it."""
    return _EPOCH + timedelta(0, seconds, nanos // 1000)


def engagement_event(
    hit: events_pb2.RawHit,
    claims: events_pb2.TokenClaims,
    features: HitFeatures,
    hit_id: str,
    verdict: Verdict,
    client_ip: str,
) -> events_pb2.Event:
    """The event of a hit; fields are set one by one (cheaper than constructor keywords),
    those the verdict gives of the client merged from their cached encoding.
    ``client_ip`` is the address as it may leave the tracking edge (truncated)."""
    event = events_pb2.Event()
    event.event_id = event_id_for_hit(hit_id)
    event.type = EVENT_TYPES[features.kind]
    event.tenant_id = claims.tenant_id
    event.campaign_id = claims.campaign_id
    event.message_id = claims.message_id
    event.recipient_id = claims.recipient_id
    event.sequence_step = claims.sequence_step
    event.variant = claims.variant
    event.trace.CopyFrom(hit.trace)
    event.occurred_at.CopyFrom(hit.received_at)
    if features.kind == "unsubscribe":
        event.unsubscribe.address = claims.recipient_id
        event.unsubscribe.one_click = hit.one_click
        event.unsubscribe.list_id = claims.list_id  # empty: a global unsubscribe
        return event
    event.MergeFromString(
        encoded_verdict_fields(
            verdict.source,
            verdict.agent,
            verdict.machine_probability,
            verdict.reasons,
            verdict.email_client,
            verdict.device,
            verdict.os,
            verdict.browser,
            verdict.country,
        )
    )
    payload = event.engagement
    payload.first = verdict.first
    payload.duplicate = verdict.duplicate
    payload.link_url = claims.link_url
    payload.link_index = features.link_index
    payload.hit_id = hit_id
    payload.user_agent = features.user_agent
    payload.client_ip = client_ip
    return event


def request_headers(hit: events_pb2.RawHit) -> dict[str, str]:
    """The request headers the classifier reads: the forwarded ones of ``hit.headers`` and
    the two the gateway carries in fields of their own (Accept-Language and Referer)."""
    headers = dict(hit.headers) if hit.headers else {}  # most hits forward none
    if hit.accept_language:
        headers["accept-language"] = hit.accept_language
    if hit.referer:
        headers["referer"] = hit.referer
    return headers


def _earlier(hit: PastHit | StoredHit) -> Earlier:
    kind = KIND_NAMES.get(hit.kind, "open")
    prior = PriorHit(kind, hit.received_at, hit.link_index, hit.source, hit.honeypot)  # type: ignore[arg-type]  # an enum value stored as int
    return hit.received_at, hit.hit_id, prior


def _received_order(hit: events_pb2.RawHit) -> tuple[int, int]:
    stamp = hit.received_at
    return stamp.seconds, stamp.nanos


RETENTION_CHECK_EVERY = timedelta(hours=1)
RETENTION_BATCH = 50_000


# Hits classified, stored and published together: a poll after a backlog can hold tens of
# thousands (one record carries up to 1,000), and each costs ~6 KB of Python objects until
# its write is done (bench/RESULTS.md, "Memory"); 2,000 keep the statements per hit as few.
def _valid_hit(hit: events_pb2.RawHit) -> tuple[events_pb2.RawHit, ...]:
    claims = hit.claims
    if not hit.hit_id or claims.kind not in KIND_NAMES or not claims.tenant_id:
        raise InvalidMessage("raw hit without id, tenant or known kind")
    if not (valid_timestamp(hit.received_at) and valid_timestamp(claims.sent_at)):
        raise InvalidMessage("raw hit with a timestamp out of range")
    return (hit,)


def _hit_alone(hit: events_pb2.RawHit) -> bytes:
    return events_pb2.RawHitBatch(hits=[hit]).SerializeToString()


HITS_PER_WRITE = 2000


class RawHitHandler:
    """Classifies raw hits with their history, stores them, publishes engagement events."""

    def __init__(
        self,
        store: TrackingEdgeStore,
        classifier: Classifier,
        producer: KafkaProducer,
        *,
        ip_truncation: IpTruncation | None = None,
        duplicate_window: timedelta = DEFAULT_DUPLICATE_WINDOW,
        retention: timedelta | None = None,
    ) -> None:
        self.store = store
        self.classifier = classifier
        self.producer = producer
        self.velocity = AddressVelocity()
        self.ip_truncation = ip_truncation or IpTruncation()
        # scanners, proxies and readers come back from the same addresses
        self.truncated_ip = lru_cache(maxsize=ADDRESS_CACHE)(self.ip_truncation.apply)
        self.duplicate_window = duplicate_window
        self.retention = retention
        self._retention_checked = datetime.min.replace(tzinfo=UTC)

    def decode(self, record: Record) -> list[events_pb2.RawHit | PoisonPart]:
        batch = parse_message(events_pb2.RawHitBatch, record.value)
        return decode_each(batch.hits, _valid_hit, _hit_alone)

    def handle(self, items: list[events_pb2.RawHit]) -> None:
        """Writes the hits in received order, ``HITS_PER_WRITE`` at a time: a later part
        reads the earlier ones' stored hits as history, as a later batch would. A failure
        re-runs the whole batch; parts already written are absorbed (hits stored once,
        events with the same ids)."""
        hits = sorted(items, key=_received_order)
        for start in range(0, len(hits), HITS_PER_WRITE):
            self._write(hits[start : start + HITS_PER_WRITE])
        self._apply_retention()

    def _write(self, hits: list[events_pb2.RawHit]) -> None:
        claims = [hit.claims for hit in hits]
        keys = [(c.tenant_id, c.recipient_id, c.message_id) for c in claims]
        opted_out, stored = self.store.batch_context(set(keys))
        history = {key: in_received_order(map(_earlier, past)) for key, past in stored.items()}
        to_come = Counter(keys)  # hits of each key not processed yet
        events: list[events_pb2.Event] = []
        rows: list[StoredHit] = []
        for hit, claim, key in zip(hits, claims, keys, strict=True):
            to_come[key] -= 1
            if (key[0], key[1]) in opted_out:
                continue
            event, row = self._classify(hit, claim, key, history.get(key, ()))
            events.append(event)
            rows.append(row)
            if to_come[key]:  # later hits of the batch see this one in their history
                add_in_received_order(history.setdefault(key, []), _earlier(row))
        self.store.record_hits(rows)
        publish_events(self.producer, topics.ENGAGEMENT_EVENTS, events, key=None)

    def _apply_retention(self) -> None:
        """At most hourly, deletes hits older than the retention period (a bounded batch)."""
        now = datetime.now(UTC)
        if self.retention is None or now - self._retention_checked < RETENTION_CHECK_EVERY:
            return
        self._retention_checked = now
        self.store.delete_hits_before(now - self.retention, limit=RETENTION_BATCH)

    def _classify(
        self,
        hit: events_pb2.RawHit,
        claims: events_pb2.TokenClaims,
        key: HistoryKey,
        earlier: Sequence[Earlier],
    ) -> tuple[events_pb2.Event, StoredHit]:
        """The event of one hit and its row, classified with the hits before it (``earlier``:
        the message's hits in received order)."""
        hit_id = hit.hit_id
        received_at = to_datetime(hit.received_at)
        prior = prior_hits(earlier, received_at, hit_id)
        sent = claims.sent_at
        message = "\x1f".join(key)  # one recipient's copy of a message
        history = HitHistory(prior, self.velocity.observe(hit.client_ip, message, received_at))
        window = self.duplicate_window
        client_ip = self.truncated_ip(hit.client_ip)  # what leaves the tracking edge
        features = HitFeatures(
            KIND_NAMES[claims.kind],
            hit.http_method,
            hit.user_agent,
            hit.client_ip,
            received_at,
            sent_datetime(sent.seconds, sent.nanos) if claims.HasField("sent_at") else None,
            request_headers(hit),
            claims.link_index,
            claims.honeypot,
            rate_limited=hit.rate_limited,
        )
        with child_span(SPAN_NAME, hit.trace, SpanKind.CONSUMER, SPAN_ATTRIBUTES):
            verdict = self.classifier.classify(features, history, duplicate_window=window)
            event = engagement_event(hit, claims, features, hit_id, verdict, client_ip)
            if tracing_enabled():  # the event continues the consumer span's trace
                event.trace.CopyFrom(current_trace())
        row = StoredHit(
            hit_id,
            key[0],
            key[2],
            key[1],
            claims.kind,
            features.link_index,
            received_at,
            verdict.source,
            features.honeypot,
            claims.campaign_id,
        )
        return event, row


@dataclass
class RecipientEventHandler:
    """Applies tracking opt-outs, erasure requests and campaign deletions (CAMPAIGN_STATUS_CHANGE
    to "deleted": the campaign's hits are erased) published by the recipient service."""

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
            elif (
                event.type == events_pb2.EVENT_TYPE_CAMPAIGN_STATUS_CHANGE
                and event.campaign_status.status == "deleted"
                and event.tenant_id
                and event.campaign_id
            ):
                self.store.delete_campaign(event.tenant_id, event.campaign_id)
