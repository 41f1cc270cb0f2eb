"""ConsumerLoop against the real broker and PostgreSQL: durable write before commit,
poison records to the dead-letter topic (an invalid event alone, without its batch),
redelivery absorbed by unique event ids."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import text

from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop, DeadLetterLimitExceeded
from emailtrack.common.db import make_engine
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.topics import DEAD_LETTER
from emailtrack.v1 import events_pb2
from services.analytics.consumer import EventIngestHandler
from services.analytics.store import AnalyticsStore

pytestmark = pytest.mark.integration


STARTED = datetime.now(UTC).replace(microsecond=0)


def open_event(campaign: str, n: int) -> events_pb2.Event:
    """Event n of a campaign: the same n always gives the same event (id and time), as a
    redelivery or a producer retry does."""
    event = events_pb2.Event(
        event_id=f"{campaign}-{n}",
        type=events_pb2.EVENT_TYPE_EMAIL_OPEN,
        tenant_id="t1",
        campaign_id=campaign,
        message_id=f"m{n}",
        recipient_id=f"r{n}",
    )
    event.occurred_at.FromDatetime(STARTED + timedelta(seconds=n))
    event.engagement.classification.source = events_pb2.HIT_SOURCE_HUMAN
    return event


def run_until(loop: ConsumerLoop, condition: Callable[[], bool], timeout_s: float = 30) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []

    def _run() -> None:
        try:
            loop.run(stop)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=_run)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline and not errors:
        time.sleep(0.1)
    stop.set()
    thread.join(10)
    if errors:
        raise errors[0]
    assert condition(), "condition not reached before timeout"


def count(engine, campaign: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM events WHERE campaign_id = :c"), {"c": campaign}
        ).scalar_one()


def test_ingest_dead_letter_and_redelivery(
    kafka_bootstrap: str, fresh_database: Callable[[str], str]
) -> None:
    settings = KafkaSettings(kafka_bootstrap, 2000)
    topic = f"test.events.{uuid.uuid4().hex[:8]}"
    ensure_topics(settings, [topic, DEAD_LETTER], partitions=2)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    campaign = f"c-{uuid.uuid4().hex[:6]}"
    for start in (0, 5):
        batch = events_pb2.EventBatch(
            events=[open_event(campaign, n) for n in range(start, start + 5)]
        )
        producer.send(topic, batch.SerializeToString())
    producer.send(topic, b"\xff\xff not protobuf")
    # one event violating the contract among valid ones: dead-lettered alone
    poison = events_pb2.Event(event_id="no-tenant")
    mixed = [open_event(campaign, 10), poison, open_event(campaign, 11)]
    producer.send(topic, events_pb2.EventBatch(events=mixed).SerializeToString())
    # the same events again, as a producer retry would deliver them
    producer.send(
        topic, events_pb2.EventBatch(events=[open_event(campaign, 1)]).SerializeToString()
    )
    producer.flush()

    engine = make_engine(fresh_database("analytics"))
    handler = EventIngestHandler(AnalyticsStore(engine))
    group = f"g-{uuid.uuid4().hex[:6]}"
    loop = ConsumerLoop(settings, group, [topic], handler, producer)
    run_until(loop, lambda: count(engine, campaign) == 12)
    assert count(engine, campaign) == 12

    # a new consumer group re-reads the whole topic: nothing is counted twice
    replay = ConsumerLoop(settings, group + "-replay", [topic], handler, producer)
    consumed: list[int] = []
    original = handler.handle

    def counting_handle(items):
        original(items)
        consumed.append(len(items))

    handler.handle = counting_handle  # type: ignore[method-assign]  # the test counts calls by wrapping the handler
    run_until(replay, lambda: sum(consumed) >= 13)
    assert count(engine, campaign) == 12

    dead = KafkaConsumer(
        DEAD_LETTER,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=3000,
    )
    letters: dict[str, list[events_pb2.DeadLetter]] = {}
    for record in dead:
        letter = events_pb2.DeadLetter.FromString(record.value)
        if letter.source_topic == topic:
            letters.setdefault(letter.consumer_group, []).append(letter)
    dead.close()
    # each group that met the poison record dead-lettered it once (the replay may stop
    # before reaching it)
    assert group in letters and set(letters) <= {group, group + "-replay"}
    # the two poison records may sit on different partitions: compared without order
    poisons = sorted(
        [b"\xff\xff not protobuf", events_pb2.EventBatch(events=[poison]).SerializeToString()]
    )
    assert sorted(letter.value for letter in letters[group]) == poisons
    replayed = [letter.value for letter in letters.get(group + "-replay", [])]
    assert len(set(replayed)) == len(replayed) and set(replayed) <= set(poisons)
    engine.dispose()


def test_offsets_are_not_committed_when_the_write_fails(
    kafka_bootstrap: str, fresh_database: Callable[[str], str]
) -> None:
    settings = KafkaSettings(kafka_bootstrap, 2000)
    topic = f"test.fail.{uuid.uuid4().hex[:8]}"
    ensure_topics(settings, [topic], partitions=1)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    campaign = f"c-{uuid.uuid4().hex[:6]}"
    producer.send(
        topic, events_pb2.EventBatch(events=[open_event(campaign, 1)]).SerializeToString()
    )
    producer.flush()
    engine = make_engine(fresh_database("analytics"))
    store = AnalyticsStore(engine)
    handler = EventIngestHandler(store)
    attempts: list[int] = []
    original = handler.handle

    def flaky(items):
        attempts.append(len(items))
        if len(attempts) < 3:
            raise ConnectionError("database unavailable")
        original(items)

    handler.handle = flaky  # type: ignore[method-assign]  # the test counts calls by wrapping the handler
    loop = ConsumerLoop(settings, "g-flaky", [topic], handler, producer, retry_backoff_s=0.05)
    run_until(loop, lambda: count(engine, campaign) == 1)
    assert len(attempts) == 3
    engine.dispose()


def test_mostly_poison_input_stops_the_consumer(
    kafka_bootstrap: str, fresh_database: Callable[[str], str]
) -> None:
    settings = KafkaSettings(kafka_bootstrap, 2000)
    topic = f"test.poison.{uuid.uuid4().hex[:8]}"
    ensure_topics(settings, [topic, DEAD_LETTER], partitions=1)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for _ in range(30):
        producer.send(topic, b"\x00garbage")
    producer.flush()
    engine = make_engine(fresh_database("analytics"))
    loop = ConsumerLoop(
        settings, "g-poison", [topic], EventIngestHandler(AnalyticsStore(engine)), producer
    )
    with pytest.raises(DeadLetterLimitExceeded):
        run_until(loop, lambda: False, timeout_s=15)
    engine.dispose()
