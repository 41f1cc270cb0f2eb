"""One pixel hit is one trace: gateway request → Kafka → tracking edge → Kafka → analytics,
recorded with the OpenTelemetry in-memory exporter (real broker and PostgreSQL, in-process
components)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from starlette.testclient import TestClient

from emailtrack.common import topics, tracking_urls
from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.kafka_io import ensure_topics, make_producer
from emailtrack.common.telemetry import setup_telemetry
from emailtrack.common.tokens import TokenKeys, sign
from emailtrack.v1 import events_pb2
from gateway.asgi import create_app
from services.analytics.consumer import INGEST_SPAN, EventIngestHandler
from services.analytics.store import AnalyticsStore
from services.tracking_edge.consumer import RawHitHandler
from services.tracking_edge.domain.classify import Classifier
from services.tracking_edge.store import TrackingEdgeStore

pytestmark = pytest.mark.integration

KEYS_SPEC = "k1:" + "t" * 43
EXPORTER = InMemorySpanExporter()


def pixel_path(message_id: str) -> str:
    claims = events_pb2.TokenClaims(
        tenant_id="traced",
        campaign_id="c-trace",
        message_id=message_id,
        recipient_id="r_trace",
        kind=events_pb2.HIT_KIND_OPEN,
    )
    claims.sent_at.FromDatetime(datetime.now(UTC))
    url = tracking_urls.pixel_url("http://x", sign(claims, TokenKeys.parse(KEYS_SPEC)))
    return url.removeprefix("http://x")


def wait_for(predicate: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "spans did not arrive"
        time.sleep(0.1)
        trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]  # the SDK provider the test installed


def test_one_trace_from_gateway_to_analytics(
    kafka_bootstrap: str,
    fresh_database: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    setup_telemetry("emailtrack-tests", exporter=EXPORTER)
    kafka = KafkaSettings(kafka_bootstrap, 2000)
    ensure_topics(kafka)
    monkeypatch.setenv("EMAILTRACK_TOKEN_KEYS", KEYS_SPEC)
    monkeypatch.setenv("EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("EMAILTRACK_GATEWAY_SPOOL_DIR", str(tmp_path / "spool"))
    edge_engine = make_engine(fresh_database("tracking_edge"))
    analytics_engine = make_engine(fresh_database("analytics"))
    producer = make_producer(kafka, "trace-test")
    group = uuid.uuid4().hex[:8]
    loops: list[ConsumerLoop[Any]] = [
        ConsumerLoop(
            kafka,
            f"edge-{group}",
            [topics.RAW_HITS],
            RawHitHandler(TrackingEdgeStore(edge_engine), Classifier.load(), producer),
            producer,
        ),
        ConsumerLoop(
            kafka,
            f"analytics-{group}",
            [topics.ENGAGEMENT_EVENTS],
            EventIngestHandler(AnalyticsStore(analytics_engine)),
            producer,
        ),
    ]
    stop = threading.Event()
    threads = [threading.Thread(target=loop.run, args=(stop,)) for loop in loops]
    for thread in threads:
        thread.start()
    message_id = f"m-{uuid.uuid4().hex[:8]}"
    try:
        with TestClient(create_app()) as client:
            assert client.get(pixel_path(message_id)).status_code == 200

        def gateway_spans() -> list[ReadableSpan]:
            return [
                s
                for s in EXPORTER.get_finished_spans()
                if s.kind == SpanKind.SERVER and s.name == "GET /o/{token}.gif"
            ]

        wait_for(lambda: bool(gateway_spans()))
        gateway_span = gateway_spans()[-1]
        trace_id = gateway_span.context.trace_id

        def in_trace() -> list[str]:
            return [s.name for s in EXPORTER.get_finished_spans() if s.context.trace_id == trace_id]

        wait_for(lambda: INGEST_SPAN in in_trace())
    finally:
        stop.set()
        for thread in threads:
            thread.join(15)
        producer.close()
        edge_engine.dispose()
        analytics_engine.dispose()
    names = in_trace()
    assert "GET /o/{token}.gif" in names
    assert f"process {topics.RAW_HITS}" in names
    assert INGEST_SPAN in names
    spans = {s.name: s for s in EXPORTER.get_finished_spans() if s.context.trace_id == trace_id}
    edge = spans[f"process {topics.RAW_HITS}"]
    assert edge.parent is not None and edge.parent.span_id == gateway_span.context.span_id
    assert spans[INGEST_SPAN].parent.span_id == edge.context.span_id  # type: ignore[union-attr]  # set up by the test itself
