"""kafka-python helpers: topic creation, producers and W3C trace context in record headers."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from opentelemetry import context as otel_context
from opentelemetry import propagate
from opentelemetry.context import Context

from emailtrack.common.config import KafkaSettings
from emailtrack.common.record_contents import contents_headers
from emailtrack.common.topics import ALL_TOPICS
from emailtrack.v1 import events_pb2

log = logging.getLogger(__name__)

Headers = list[tuple[str, bytes]]
DEFAULT_PARTITIONS = 4


def ensure_topics(
    settings: KafkaSettings,
    topics: Iterable[str] = ALL_TOPICS,
    partitions: int = DEFAULT_PARTITIONS,
    timeout_s: float = 30.0,
) -> None:
    """Creates the topics that do not exist yet; waits for the broker up to ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=settings.bootstrap_servers, request_timeout_ms=5000
            )
            break
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise
            log.info("waiting for Kafka at %s: %s", settings.bootstrap_servers, exc)
            time.sleep(0.5)
    try:
        existing = set(admin.list_topics())
        missing = [NewTopic(t, partitions, 1) for t in topics if t not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                log.debug("topics created concurrently by another process")
    finally:
        admin.close()


MAX_RECORD_BYTES = 1024 * 1024
MAX_EVENTS_PER_RECORD = 2000
_EVENTS_FIELD_TAG = b"\x0a"  # EventBatch.events: field 1, length-delimited


def make_consumer(
    bootstrap_servers: str, group_id: str | None, *topics: str, **options: Any
) -> KafkaConsumer:
    """The one way a KafkaConsumer is built: never auto-committing (offsets are committed
    after the write is durable), its client id named after its group; ``options`` are
    kafka-python's (session timeout, poll sizes, ...)."""
    return KafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=group_id or "emailtrack",
        enable_auto_commit=False,
        **options,
    )


def make_producer(
    settings: KafkaSettings, client_id: str, linger_ms: int = 5, max_block_ms: int = 60_000
) -> KafkaProducer:
    """A producer that waits for all in-sync replicas and retries (at-least-once);
    ``send`` blocks at most ``max_block_ms`` for metadata or buffer space.

    Idempotent production is off: duplicates are absorbed downstream by event ids, and a
    broker that lost its producer state (a restarted in-memory dev broker) would otherwise
    make every later send fail with UnknownProducerIdError. One request in flight keeps
    retries in order."""
    return KafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        client_id=client_id,
        acks="all",
        linger_ms=linger_ms,
        retries=5,
        enable_idempotence=False,
        max_in_flight_requests_per_connection=1,
        max_request_size=4 * MAX_RECORD_BYTES,
        max_block_ms=max_block_ms,
    )


def trace_headers(ctx: Context | None = None) -> Headers:
    """The W3C trace context of ``ctx`` (default: current) as Kafka record headers."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=ctx)
    return [(k, v.encode()) for k, v in carrier.items()]


def current_trace() -> events_pb2.TraceContext:
    """The current trace context as the protobuf carried inside events."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return events_pb2.TraceContext(
        traceparent=carrier.get("traceparent", ""), tracestate=carrier.get("tracestate", "")
    )


def context_from_trace(trace: events_pb2.TraceContext) -> Context:
    carrier = {"traceparent": trace.traceparent}
    if trace.tracestate:
        carrier["tracestate"] = trace.tracestate
    return propagate.extract(carrier) if trace.traceparent else otel_context.get_current()


@dataclass(frozen=True)
class EventRecord:
    """One record's value (a serialized EventBatch), the trace of its first event and the
    headers declaring its event types and tenants (record_contents)."""

    value: bytes
    count: int
    first_trace: events_pb2.TraceContext
    contents: Headers


def _varint(number: int) -> bytes:
    out = bytearray()
    while number > 0x7F:
        out.append((number & 0x7F) | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


def event_records(events: Sequence[events_pb2.Event]) -> list[EventRecord]:
    """Splits events into EventBatch records of at most MAX_EVENTS_PER_RECORD events and
    about MAX_RECORD_BYTES each (a consumer backlog can hold far more than one record may).

    Each event is serialized once and framed as field 1 of EventBatch (tag 0x0a, length),
    which is byte for byte what ``EventBatch(events=...).SerializeToString()`` writes, without
    copying every event into a batch message first."""
    records: list[EventRecord] = []
    parts: list[bytes] = []
    types: set[int] = set()
    tenants: set[str] = set()
    first: events_pb2.Event | None = None
    size = 0

    def close_record() -> None:
        assert first is not None
        headers = contents_headers(types, tenants)
        records.append(EventRecord(b"".join(parts), len(parts), first.trace, headers))

    for event in events:
        encoded = event.SerializeToString()
        framed = _EVENTS_FIELD_TAG + _varint(len(encoded)) + encoded
        if parts and (size + len(framed) > MAX_RECORD_BYTES or len(parts) >= MAX_EVENTS_PER_RECORD):
            close_record()
            parts, size = [], 0
            types, tenants = set(), set()
        if not parts:
            first = event
        parts.append(framed)
        types.add(event.type)
        tenants.add(event.tenant_id)
        size += len(framed)
    if parts:
        close_record()
    return records


def publish_events(
    producer: KafkaProducer, topic: str, events: Sequence[events_pb2.Event], key: bytes | None
) -> None:
    """Sends events as EventBatch records, each with its trace context and the headers
    declaring its contents, and waits until the broker has them all."""
    futures = [
        producer.send(
            topic,
            key=key,
            value=record.value,
            headers=trace_headers(context_from_trace(record.first_trace)) + record.contents,
        )
        for record in event_records(events)
    ]
    for future in futures:
        future.get(timeout=30)
