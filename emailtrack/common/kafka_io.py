"""kafka-python helpers: topic creation, producers and W3C trace context in record headers."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from opentelemetry import context as otel_context
from opentelemetry import propagate
from opentelemetry.context import Context

from emailtrack.common.config import KafkaSettings
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


def make_producer(settings: KafkaSettings, client_id: str, linger_ms: int = 5) -> KafkaProducer:
    """A producer that waits for all in-sync replicas and retries (at-least-once)."""
    return KafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        client_id=client_id,
        acks="all",
        linger_ms=linger_ms,
        retries=5,
        max_in_flight_requests_per_connection=1,
        max_request_size=8 * 1024 * 1024,
    )


def trace_headers(ctx: Context | None = None) -> Headers:
    """The W3C trace context of ``ctx`` (default: current) as Kafka record headers."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=ctx)
    return [(k, v.encode()) for k, v in carrier.items()]


def context_from_headers(headers: Sequence[tuple[str, bytes]] | None) -> Context:
    carrier = {k: v.decode(errors="replace") for k, v in headers or () if v is not None}
    return propagate.extract(carrier)


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


def publish_events(
    producer: KafkaProducer, topic: str, events: Sequence[events_pb2.Event], key: bytes | None
) -> None:
    """Sends events as one EventBatch record and waits until the broker has it."""
    if not events:
        return
    batch = events_pb2.EventBatch(events=events)
    headers = trace_headers(context_from_trace(events[0].trace))
    producer.send(topic, key=key, value=batch.SerializeToString(), headers=headers).get(timeout=30)
