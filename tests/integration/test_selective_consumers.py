"""Consumers that need only some event types, on the real broker and PostgreSQL: a record
whose headers declare only opens and clicks is committed past undecoded, while an
unsubscribe is applied (recipient) or delivered (webhooks) from a mixed record and from a
record without the headers (older producers, replays, dead-letter redrives)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy import Engine, text

from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop, Record
from emailtrack.common.db import make_engine
from emailtrack.common.kafka_io import ensure_topics, make_producer, publish_events
from emailtrack.common.record_contents import RecordContents
from emailtrack.v1 import events_pb2
from services.recipient.__main__ import stores
from services.recipient.config import RecipientSettings
from services.recipient.consumer import RecipientEventHandler
from services.recipient.store.rows import Database
from services.webhooks.consumer import EventHandler
from services.webhooks.signing import SecretBox
from services.webhooks.store.deliveries import DeliveryStore
from services.webhooks.store.endpoints import EndpointStore
from tests.integration.running_loops import Running, wait_for

pytestmark = pytest.mark.integration
OPEN, CLICK = events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.EVENT_TYPE_EMAIL_CLICK
UNSUBSCRIBE = events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE


def event(tenant: str, kind: events_pb2.EventType, name: str) -> events_pb2.Event:
    built = events_pb2.Event(
        event_id=f"{tenant}-{name}",
        type=kind,
        tenant_id=tenant,
        campaign_id="c1",
        message_id=f"m-{name}",
        recipient_id=f"r-{name}",
    )
    built.occurred_at.FromDatetime(datetime.now(UTC))
    if kind == UNSUBSCRIBE:
        built.unsubscribe.address = f"{name}@example.com"
        built.unsubscribe.list_id = "promo"
    else:
        built.engagement.classification.source = events_pb2.HIT_SOURCE_HUMAN
    return built


def hits(tenant: str, prefix: str) -> list[events_pb2.Event]:
    return [event(tenant, OPEN, f"{prefix}o{n}") for n in range(3)] + [
        event(tenant, CLICK, f"{prefix}c")
    ]


def send_without_headers(producer: KafkaProducer, topic: str, events: list) -> None:
    """A record as an older producer (or a redrive) sends it: no contents headers."""
    value = events_pb2.EventBatch(events=events).SerializeToString()
    producer.send(topic, value=value).get(timeout=30)


def committed(settings: KafkaSettings, group: str, topic: str) -> int | None:
    reader = KafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=group)
    try:
        return reader.committed(TopicPartition(topic, 0))
    finally:
        reader.close()


class DecodeLog:
    """Wraps a real handler's ``decode`` to note the offsets it was asked to decode."""

    def __init__(self, handler: RecipientEventHandler | EventHandler) -> None:
        self.offsets: list[int] = []
        original = handler.decode

        def decode(record: Record) -> Sequence[object]:
            self.offsets.append(record.offset)
            return original(record)

        handler.decode = decode  # type: ignore[method-assign,assignment]  # observes the real decode


@pytest.fixture
def kafka(kafka_bootstrap: str) -> Iterator[tuple[KafkaSettings, str, KafkaProducer]]:
    settings = KafkaSettings(kafka_bootstrap, 2000)
    topic = f"test.selective.{uuid.uuid4().hex[:8]}"
    ensure_topics(settings, [topic], partitions=1)
    producer = make_producer(settings, "test")
    yield settings, topic, producer
    producer.close()


RecipientFixture = tuple[Engine, RecipientEventHandler]


@pytest.fixture
def recipient(fresh_database) -> Iterator[RecipientFixture]:
    """The recipient service's event handler on a fresh database of its own."""
    engine = make_engine(fresh_database("recipient"))
    yield (
        engine,
        RecipientEventHandler(stores(Database(engine), RecipientSettings.from_env({})).suppression),
    )
    engine.dispose()


def rows(engine: Engine, query: str) -> set[tuple[object, ...]]:
    with engine.connect() as conn:
        return {tuple(row) for row in conn.execute(text(query))}


def test_recipient_skips_opens_only_records_and_applies_every_unsubscribe(
    kafka, recipient: RecipientFixture
) -> None:
    settings, topic, producer = kafka
    engine, handler = recipient
    decoded = DecodeLog(handler)
    group = f"g-{uuid.uuid4().hex[:6]}"
    running = Running(ConsumerLoop(settings, group, [topic], handler, producer))
    try:
        publish_events(producer, topic, hits("t1", "a"), None)  # offset 0: skipped
        mixed = [*hits("t1", "b"), event("t1", UNSUBSCRIBE, "u1")]
        publish_events(producer, topic, mixed, None)  # offset 1
        send_without_headers(producer, topic, [*hits("t1", "c"), event("t1", UNSUBSCRIBE, "u2")])
        publish_events(producer, topic, hits("t1", "d"), None)  # offset 3: skipped
        wait_for(lambda: committed(settings, group, topic) == 4)
    finally:
        running.close()
    assert sorted(set(decoded.offsets)) == [1, 2]
    processed = rows(engine, "SELECT event_id FROM processed_events")
    assert processed == {("t1-u1",), ("t1-u2",)}


def test_webhooks_skip_what_no_endpoint_wants_and_deliver_the_rest(kafka, fresh_database) -> None:
    settings, topic, producer = kafka
    engine = make_engine(fresh_database("webhooks"))
    endpoints = EndpointStore(engine, SecretBox(os.urandom(32)))
    unsubscribed, _ = endpoints.create("ta", "https://a.example/h", ["unsubscribed"], False, "")
    opened, _ = endpoints.create("tb", "https://b.example/h", ["opened:human"], False, "")
    handler = EventHandler(endpoints, DeliveryStore(engine))
    decoded = DecodeLog(handler)
    group = f"g-{uuid.uuid4().hex[:6]}"
    running = Running(ConsumerLoop(settings, group, [topic], handler, producer))
    try:
        publish_events(producer, topic, hits("ta", "a") + hits("tc", "a"), None)  # 0: skipped
        publish_events(producer, topic, hits("tb", "b"), None)  # 1: tb wants opens
        mixed = [*hits("ta", "c"), event("ta", UNSUBSCRIBE, "u1")]
        publish_events(producer, topic, mixed, None)  # 2
        send_without_headers(producer, topic, [*hits("ta", "d"), event("ta", UNSUBSCRIBE, "u2")])
        publish_events(producer, topic, hits("ta", "e"), None)  # 4: skipped
        wait_for(lambda: committed(settings, group, topic) == 5)
    finally:
        running.close()
    assert sorted(set(decoded.offsets)) == [1, 2, 3]
    delivered = rows(engine, "SELECT endpoint_id, event_id FROM deliveries")
    assert delivered == {
        (unsubscribed.endpoint_id, "ta-u1"),
        (unsubscribed.endpoint_id, "ta-u2"),
        *((opened.endpoint_id, f"tb-bo{n}") for n in range(3)),
    }
    engine.dispose()


def test_skipped_records_are_committed_later_and_when_the_loop_stops(
    kafka, recipient: RecipientFixture
) -> None:
    settings, topic, producer = kafka
    _, handler = recipient
    decoded = DecodeLog(handler)
    asked: list[int] = []
    wanted = handler.wanted

    def counted(declared: Sequence[RecordContents]) -> list[bool]:
        asked.append(len(declared))
        return wanted(declared)

    handler.wanted = counted  # type: ignore[method-assign]  # observes the real decision
    group = f"g-{uuid.uuid4().hex[:6]}"
    loop = ConsumerLoop(settings, group, [topic], handler, producer, skipped_commit_interval_s=3600)
    running = Running(loop)
    try:
        for prefix in "abc":
            publish_events(producer, topic, hits("t1", prefix), None)
        wait_for(lambda: sum(asked) == 3)
        assert committed(settings, group, topic) is None  # nothing written: not yet
    finally:
        running.close()
    assert committed(settings, group, topic) == 3
    assert decoded.offsets == []


def test_when_the_handler_cannot_tell_every_record_is_decoded(
    kafka, recipient: RecipientFixture
) -> None:
    settings, topic, producer = kafka
    engine, handler = recipient
    decoded = DecodeLog(handler)

    def unsure(declared: Sequence[RecordContents]) -> list[bool]:
        raise ConnectionError("subscriptions unavailable")

    handler.wanted = unsure  # type: ignore[method-assign]  # a decision that fails
    group = f"g-{uuid.uuid4().hex[:6]}"
    running = Running(ConsumerLoop(settings, group, [topic], handler, producer))
    try:
        publish_events(producer, topic, hits("t1", "a"), None)
        publish_events(producer, topic, [*hits("t1", "b"), event("t1", UNSUBSCRIBE, "u")], None)
        wait_for(lambda: committed(settings, group, topic) == 2)
    finally:
        running.close()
    assert sorted(set(decoded.offsets)) == [0, 1]
    assert rows(engine, "SELECT event_id FROM processed_events") == {("t1-u",)}
