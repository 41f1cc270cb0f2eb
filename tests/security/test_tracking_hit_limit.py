"""Per-client-IP limit on tracking hits (issue 16, item 6): past the limit the pixel is still
served, the hit is marked ``rate_limited``, and the real tracking-edge consumer (real
classifier, PostgreSQL and broker) never turns a marked hit into human engagement."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer, KafkaProducer
from starlette.testclient import TestClient

from emailtrack.common import topics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import Record, only_items
from emailtrack.common.db import make_engine
from emailtrack.common.kafka_io import ensure_topics, make_producer
from emailtrack.common.tokens import sign
from emailtrack.v1 import events_pb2
from gateway.asgi import build_gateway
from services.tracking_edge.consumer import RawHitHandler, event_id_for_hit
from services.tracking_edge.domain.classify import Classifier
from services.tracking_edge.store import TrackingEdgeStore
from tests.security.gateway_app import gateway_settings

pytestmark = pytest.mark.integration
LIMIT = 5
READER = "203.0.113.50"
OTHER_READER = "198.51.100.20"
BROWSER = {
    "user-agent": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36"
    ),
    "accept-language": "en-GB,en;q=0.9",
}


@dataclass
class RecordingSink:
    """Collects the hits the gateway hands over (in production: the Kafka HitPublisher)."""

    hits: list[events_pb2.RawHit] = field(default_factory=list)

    def start(self) -> None: ...
    def close(self) -> None: ...
    def connected(self) -> bool:
        return True

    def submit(self, hit: events_pb2.RawHit) -> bool:
        self.hits.append(hit)
        return True


def pixel_path(tenant: str, recipient: str, keys: object) -> str:
    claims = events_pb2.TokenClaims(
        tenant_id=tenant,
        campaign_id="c1",
        message_id=f"m-{recipient}",
        recipient_id=recipient,
        kind=events_pb2.HIT_KIND_OPEN,
    )
    claims.sent_at.FromDatetime(datetime(2026, 1, 1, tzinfo=UTC))
    return f"/o/{sign(claims, keys)}.gif"  # type: ignore[arg-type]


def gateway_hits(tenant: str, count: int) -> list[events_pb2.RawHit]:
    settings = replace(gateway_settings("127.0.0.1:9", "127.0.0.1:9"), hit_limit_per_ip=LIMIT)
    sink = RecordingSink()
    app = build_gateway(settings, sink)
    reader = TestClient(app, client=(READER, 40000))
    other = TestClient(app, client=(OTHER_READER, 40000))
    for n in range(count):
        reply = reader.get(pixel_path(tenant, f"r{n}", settings.token_keys), headers=BROWSER)
        assert reply.status_code == 200 and reply.headers["content-type"] == "image/gif"
    assert other.get(pixel_path(tenant, "o1", settings.token_keys), headers=BROWSER).status_code
    return sink.hits


def test_the_gateway_serves_every_pixel_and_marks_hits_past_the_limit() -> None:
    hits = gateway_hits("t-limit", LIMIT + 3)
    marked = [hit.rate_limited for hit in hits]
    assert marked == [False] * LIMIT + [True] * 3 + [False]  # the other reader is not limited


@pytest.fixture
def handler(fresh_database: Callable[[str], str], kafka_bootstrap: str) -> Iterator[RawHitHandler]:
    settings = KafkaSettings(kafka_bootstrap, 2000)
    ensure_topics(settings)
    producer: KafkaProducer = make_producer(settings, "security-hit-limit")
    engine = make_engine(fresh_database("tracking_edge"))
    yield RawHitHandler(TrackingEdgeStore(engine), Classifier.load(), producer)
    producer.close()
    engine.dispose()


def published(bootstrap: str, tenant: str, want: int) -> dict[str, events_pb2.Event]:
    consumer = KafkaConsumer(
        topics.ENGAGEMENT_EVENTS,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=2000,
    )
    found: dict[str, events_pb2.Event] = {}
    deadline = time.monotonic() + 30
    while len(found) < want and time.monotonic() < deadline:
        for record in consumer:
            batch = events_pb2.EventBatch.FromString(record.value)
            found |= {e.event_id: e for e in batch.events if e.tenant_id == tenant}
    consumer.close()
    return found


def test_marked_hits_never_count_as_human_engagement(
    handler: RawHitHandler, kafka_bootstrap: str
) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    hits = gateway_hits(tenant, LIMIT + 3)
    value = events_pb2.RawHitBatch(hits=hits).SerializeToString()
    handler.handle(only_items(handler.decode(Record(topics.RAW_HITS, 0, 0, None, value, []))))
    events = published(kafka_bootstrap, tenant, len(hits))
    human = events_pb2.HIT_SOURCE_HUMAN
    for hit in hits:
        classification = events[event_id_for_hit(hit.hit_id)].engagement.classification
        if hit.rate_limited:
            assert classification.source != human
            assert "rate_limited_client_ip" in classification.reasons
        else:
            assert "rate_limited_client_ip" not in classification.reasons
    first = events[event_id_for_hit(hits[0].hit_id)].engagement.classification
    assert first.source == human  # the same browser under the limit is a reader
