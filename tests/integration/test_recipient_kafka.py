"""The recipient service against the real broker and PostgreSQL: a hard bounce suppresses
within a second, replaying a topic changes nothing, and opt-outs and erasure reach the
tracking edge through the outbox and the recipient topic."""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kafka import KafkaProducer
from sqlalchemy import Engine, text

from emailtrack.common import topics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.identity import recipient_id_for
from emailtrack.common.kafka_io import ensure_topics, make_producer, publish_events
from emailtrack.v1 import events_pb2
from services.recipient.__main__ import Stores, stores
from services.recipient.config import RecipientSettings
from services.recipient.consumer import RecipientEventHandler
from services.recipient.domain.addresses import normalise
from services.recipient.domain.delivery import DeliveryStatus
from services.recipient.outbox import OutboxRelay
from services.recipient.store.messages import Mark, Registration
from services.recipient.store.rows import Database
from services.tracking_edge.consumer import RecipientEventHandler as EdgeRecipientHandler
from services.tracking_edge.store import StoredHit, TrackingEdgeStore
from tests.integration.running_loops import Running, wait_for

pytestmark = pytest.mark.integration
TENANT = "tk"


def event(kind: events_pb2.EventType, n: str, at: datetime, **fields: Any) -> events_pb2.Event:
    built = events_pb2.Event(event_id=f"ev-{n}", type=kind, tenant_id=TENANT)
    built.occurred_at.FromDatetime(at)
    for name, value in fields.items():
        if name in ("delivery", "unsubscribe"):
            getattr(built, name).CopyFrom(value)
        else:
            setattr(built, name, value)
    return built


def bounce(n: str, address: str, hard: bool, at: datetime) -> events_pb2.Event:
    kind = events_pb2.BOUNCE_TYPE_HARD if hard else events_pb2.BOUNCE_TYPE_SOFT
    payload = events_pb2.DeliveryPayload(address=address, bounce_type=kind, reason="r")
    return event(events_pb2.EVENT_TYPE_EMAIL_BOUNCE, n, at, delivery=payload)


@pytest.fixture
def setup(kafka_bootstrap: str, fresh_database) -> Iterator[tuple[Engine, Stores, KafkaSettings]]:
    settings = KafkaSettings(kafka_bootstrap, 2000)
    ensure_topics(settings)
    engine = make_engine(fresh_database("recipient"))
    yield engine, stores(Database(engine), RecipientSettings.from_env({})), settings
    engine.dispose()


def consumer(
    settings: KafkaSettings, parts: Stores, topic_list: list[str], group: str
) -> ConsumerLoop:
    producer = KafkaProducer(bootstrap_servers=settings.bootstrap_servers)
    return ConsumerLoop(
        settings, group, topic_list, RecipientEventHandler(parts.suppression), producer
    )


def test_hard_bounce_suppresses_within_a_second(setup) -> None:
    _, parts, settings = setup
    topic = f"test.recipient.delivery.{uuid.uuid4().hex[:8]}"
    ensure_topics(settings, [topic], partitions=1)
    running = Running(consumer(settings, parts, [topic], f"g-{uuid.uuid4().hex[:6]}"))
    address = normalise(TENANT, "hard@example.com")
    producer = make_producer(settings, "test")
    try:
        assert parts.suppression.check_sendable(TENANT, [address], "")[
            address.recipient_id
        ].verdict.sendable
        publish_events(
            producer, topic, [bounce("hb", "Hard@Example.com", True, datetime.now(UTC))], None
        )
        elapsed = wait_for(
            lambda: (
                not parts.suppression.check_sendable(TENANT, [address], "")[
                    address.recipient_id
                ].verdict.sendable
            ),
            timeout_s=5,
        )
        assert elapsed < 1.0, f"took {elapsed:.2f}s"
    finally:
        running.close()
        producer.close()


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "recipients": "SELECT * FROM recipients ORDER BY recipient_id",
        "audit": "SELECT * FROM suppression_audit ORDER BY id",
        "list_unsubscribes": "SELECT * FROM list_unsubscribes ORDER BY recipient_id",
        "soft_bounces": "SELECT * FROM soft_bounces ORDER BY event_id",
        "message_recipients": "SELECT * FROM message_recipients ORDER BY recipient_id",
        "outbox": "SELECT topic, key, batch FROM outbox ORDER BY id",
        "processed": "SELECT * FROM processed_events ORDER BY event_id",
    }
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(text(q))] for name, q in queries.items()}


def test_replaying_the_topics_twice_changes_nothing(setup) -> None:
    engine, parts, settings = setup
    suffix = uuid.uuid4().hex[:8]
    delivery, engagement = f"test.rcpt.del.{suffix}", f"test.rcpt.eng.{suffix}"
    ensure_topics(settings, [delivery, engagement], partitions=2)
    now = datetime.now(UTC)
    delivered_to = normalise(TENANT, "dora@example.com")
    parts.messages.register(TENANT, [Registration("m1", "c1", "", "", "", "", [(delivered_to, 1)])])
    parts.messages.mark(TENANT, Mark("m1", [delivered_to], DeliveryStatus.SENT))
    token_rid = recipient_id_for(TENANT, "eve@example.com")
    delivered_payload = events_pb2.DeliveryPayload(address="dora@example.com")
    deliveries = [
        bounce("1", "alice@example.com", True, now),
        *(bounce(f"b{n}", "bob@example.com", False, now - timedelta(hours=n)) for n in range(3)),
        bounce("c-old", "carol@example.com", False, now - timedelta(days=20)),
        *(bounce(f"c{n}", "carol@example.com", False, now - timedelta(hours=n)) for n in range(2)),
        event(
            events_pb2.EVENT_TYPE_EMAIL_COMPLAINT,
            "d",
            now,
            delivery=events_pb2.DeliveryPayload(address="dan@example.com", feedback_type="abuse"),
        ),
        event(
            events_pb2.EVENT_TYPE_EMAIL_SENT, "s", now, message_id="m1", delivery=delivered_payload
        ),
        event(
            events_pb2.EVENT_TYPE_EMAIL_DELIVERED,
            "dl",
            now,
            message_id="m1",
            delivery=delivered_payload,
        ),
    ]
    engagements = [
        event(
            events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE,
            "u",
            now,
            recipient_id=token_rid,
            unsubscribe=events_pb2.UnsubscribePayload(address=token_rid, one_click=True),
        ),
        event(
            events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE,
            "ul",
            now,
            unsubscribe=events_pb2.UnsubscribePayload(address="fay@example.com", list_id="promo"),
        ),
        event(events_pb2.EVENT_TYPE_EMAIL_OPEN, "o", now, recipient_id=token_rid),
    ]
    producer = make_producer(settings, "test")
    publish_events(producer, delivery, deliveries[:5], None)
    publish_events(producer, delivery, deliveries[3:], None)  # overlapping re-delivery
    publish_events(producer, engagement, engagements, None)
    producer.close()

    first = Running(consumer(settings, parts, [delivery, engagement], f"g1-{suffix}"))
    wait_for(lambda: len(snapshot(engine)["processed"]) == 11)
    first.close()
    state = snapshot(engine)

    status: dict[object, tuple[Any, Any]] = {r[1]: (r[3], r[4]) for r in state["recipients"]}
    rid = lambda email: recipient_id_for(TENANT, email)  # noqa: E731
    assert status[rid("alice@example.com")][0] == 3
    assert status[rid("bob@example.com")][1].startswith("soft_bounce_threshold: 3")
    assert status[rid("carol@example.com")][0] == 1  # the old one is outside the window
    assert status[rid("dan@example.com")] == (4, "complaint: abuse")
    assert status[token_rid][0] == 2
    assert [r[1] for r in state["list_unsubscribes"]] == [rid("fay@example.com")]
    assert state["message_recipients"][0][4] == DeliveryStatus.DELIVERED

    for replay in ("g2", "g3"):
        handled: list[int] = []
        loop = consumer(settings, parts, [delivery, engagement], f"{replay}-{suffix}")
        original = loop.handler.handle

        def counting(items, original=original, handled=handled) -> None:
            original(items)
            handled.append(len(items))

        loop.handler.handle = counting  # type: ignore[method-assign]  # the test counts calls by wrapping the handler
        running = Running(loop)
        wait_for(functools.partial(lambda counts: sum(counts) >= 13, handled))
        running.close()
        assert snapshot(engine) == state


def test_opt_out_and_erasure_reach_the_tracking_edge(setup, fresh_database) -> None:
    engine, _, settings = setup
    producer = make_producer(settings, "test")
    relay = OutboxRelay(engine, producer, idle_s=0.05)
    parts = stores(Database(engine, relay.wake), RecipientSettings.from_env({}))
    relay_stop = threading.Event()
    relay_thread = threading.Thread(target=relay.run, args=(relay_stop,), daemon=True)
    relay_thread.start()
    edge_engine = make_engine(fresh_database("tracking_edge"))
    edge = TrackingEdgeStore(edge_engine)
    tenant = f"te-{uuid.uuid4().hex[:6]}"
    person = normalise(tenant, "gina@example.com")
    bystander = normalise(tenant, "hank@example.com")
    now = datetime.now(UTC)
    edge.record_hits(
        [
            StoredHit(
                f"h-{r.recipient_id}", tenant, "m1", r.recipient_id, 1, 0, now, "human", False
            )
            for r in (person, bystander)
        ]
    )
    edge_loop = ConsumerLoop(
        settings, f"edge-{tenant}", [topics.RECIPIENT_EVENTS], EdgeRecipientHandler(edge), producer
    )
    running = Running(edge_loop)

    def hits(recipient_id: str) -> int:
        with edge_engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM hits WHERE recipient_id = :r"), {"r": recipient_id}
            ).scalar_one()

    try:
        parts.recipients.upsert(tenant, [(person, {}), (bystander, {})])
        parts.suppression.set_tracking_opt_out(tenant, person, True)
        wait_for(lambda: edge.opted_out([(tenant, person.recipient_id)]) != set())
        assert parts.privacy.erase(tenant, person.recipient_id)
        wait_for(lambda: hits(person.recipient_id) == 0)
        assert hits(bystander.recipient_id) == 1
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM outbox")).scalar_one() == 0
            left = conn.execute(
                text("SELECT count(*) FROM recipients WHERE recipient_id = :r"),
                {"r": person.recipient_id},
            ).scalar_one()
        assert left == 0
        # a replayed bounce for the erased person does not bring them back
        replayed = bounce("late", "gina@example.com", True, now)
        replayed.tenant_id = tenant
        assert parts.suppression.apply_events([replayed]) == 0
    finally:
        running.close()
        relay_stop.set()
        relay_thread.join(10)
        producer.close()
        edge_engine.dispose()
