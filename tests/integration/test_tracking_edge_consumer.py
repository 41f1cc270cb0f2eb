"""The raw-hit consumer against the real PostgreSQL and broker: each hit gets its history
(earlier batches, earlier hits of its own batch, also when the batch is written in parts) and
opted-out recipients are dropped, the events match a plain hit-by-hit classification, and a
redelivered batch yields the same events."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import Engine, text

from emailtrack.common import topics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import Record, only_items
from emailtrack.common.db import make_engine
from emailtrack.common.kafka_io import ensure_topics, make_producer
from emailtrack.v1 import events_pb2
from services.tracking_edge import consumer as edge_consumer
from services.tracking_edge.consumer import (
    HITS_PER_WRITE,
    KIND_NAMES,
    SOURCES,
    RawHitHandler,
    RecipientEventHandler,
    event_id_for_hit,
)
from services.tracking_edge.domain.classify import (
    Classifier,
    HitFeatures,
    HitHistory,
    PriorHit,
    Verdict,
)
from services.tracking_edge.store import PastHit, StoredHit, TrackingEdgeStore

pytestmark = pytest.mark.integration

SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
APPLE_MAIL = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko)"
)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
OPEN, CLICK, UNSUBSCRIBE = (
    events_pb2.HIT_KIND_OPEN,
    events_pb2.HIT_KIND_CLICK,
    events_pb2.HIT_KIND_UNSUBSCRIBE,
)


@pytest.fixture
def engine(fresh_database: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(fresh_database("tracking_edge"))
    yield engine
    engine.dispose()


@pytest.fixture
def producer(kafka_bootstrap: str) -> Iterator[KafkaProducer]:
    settings = KafkaSettings(kafka_bootstrap, 2000)
    ensure_topics(settings)
    producer = make_producer(settings, "test-tracking-edge")
    yield producer
    producer.close()


def stored(hit_id: str, recipient: str, at: datetime, kind: int = OPEN, **kw: object) -> StoredHit:
    fields = {"link_index": 0, "source": "human", "honeypot": False, "message_id": "m1"} | kw
    return StoredHit(hit_id, "t", fields["message_id"], recipient, kind, fields["link_index"],  # type: ignore[arg-type]  # test data: an enum value as int or str
                     at, fields["source"], fields["honeypot"], fields.get("campaign_id", ""))  # type: ignore[arg-type]  # fmt: skip


def test_batch_context_gives_history_oldest_first_and_opt_outs(engine: Engine) -> None:
    store = TrackingEdgeStore(engine, history_limit=2)
    store.record_hits(
        [
            stored("a1", "ann", SENT + timedelta(minutes=3)),
            stored("a2", "ann", SENT + timedelta(minutes=1), CLICK, link_index=2),
            stored("a3", "ann", SENT + timedelta(minutes=2), source="privacy_proxy"),
            stored("o1", "ann", SENT, message_id="other"),
            stored("b1", "bob", SENT),
        ]
    )
    store.set_opt_out("t", "bob", True, SENT)
    context = store.batch_context({("t", "ann", "m1"), ("t", "bob", "m1"), ("t", "cyd", "m1")})
    assert context.opted_out == {("t", "bob")}
    assert context.history.keys() == {("t", "ann", "m1")}  # bob opted out, cyd is new
    ann = context.history[("t", "ann", "m1")]
    assert [(p.hit_id, p.received_at) for p in ann] == [
        ("a3", SENT + timedelta(minutes=2)),  # the latest two, oldest first
        ("a1", SENT + timedelta(minutes=3)),
    ]
    assert ann[0] == PastHit("a3", OPEN, 0, SENT + timedelta(minutes=2), "privacy_proxy", False)


def test_record_hits_is_idempotent_and_keeps_any_text(engine: Engine) -> None:
    store = TrackingEdgeStore(engine)
    odd = 'quote " back\\slash, {brace}, null, ünïcödé 📬'
    at = SENT + timedelta(microseconds=123_457)
    hits = [stored(odd, odd, at, CLICK, honeypot=True), stored("x", "r", at), stored("x", "r", at)]
    store.record_hits(hits)
    store.record_hits(hits)  # redelivered
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM hits ORDER BY hit_id")).all()
    assert [tuple(r) for r in rows] == [tuple(hits[0]), tuple(hits[1])]


def test_campaign_deletion_and_retention_erase_hits(engine: Engine) -> None:
    store = TrackingEdgeStore(engine)
    old = SENT - timedelta(days=400)
    store.record_hits(
        [
            stored("k1", "ann", SENT, campaign_id="keep"),
            stored("d1", "ann", SENT, campaign_id="gone", message_id="m2"),
            stored("d2", "bob", SENT, campaign_id="gone", message_id="m2"),
            stored("o1", "cyd", old, campaign_id="keep", message_id="m3"),
        ]
    )
    deleted = events_pb2.Event(
        event_id="cs1",
        type=events_pb2.EVENT_TYPE_CAMPAIGN_STATUS_CHANGE,
        tenant_id="t",
        campaign_id="gone",
    )
    deleted.campaign_status.status = "deleted"
    paused = events_pb2.Event(
        event_id="cs2",
        type=events_pb2.EVENT_TYPE_CAMPAIGN_STATUS_CHANGE,
        tenant_id="t",
        campaign_id="keep",
    )
    paused.campaign_status.status = "paused"
    RecipientEventHandler(store).handle([deleted, paused])
    assert store.delete_hits_before(SENT - timedelta(days=395)) == 1
    with engine.connect() as conn:
        left = conn.execute(text("SELECT hit_id FROM hits ORDER BY hit_id")).scalars().all()
    assert left == ["k1"]


class Traffic:
    """Raw hits of one tenant, and the verdict each should get when classified one by one
    with every earlier hit of its recipient and message (the definition of its history)."""

    def __init__(self) -> None:
        self.tenant = f"te-{uuid.uuid4().hex[:8]}"
        self.hits: list[events_pb2.RawHit] = []

    def hit(self, recipient: str, seconds: float, kind: int, agent: str, ip: str,
            **kw: object) -> events_pb2.RawHit:  # fmt: skip
        hit = events_pb2.RawHit(
            hit_id=f"{self.tenant}-{len(self.hits)}",
            http_method=str(kw.get("method", "GET")),
            user_agent=agent,
            client_ip=ip,
            one_click=kind == UNSUBSCRIBE,
        )
        claims = hit.claims
        claims.tenant_id, claims.campaign_id, claims.message_id = self.tenant, "c1", "m1"
        claims.recipient_id, claims.kind = recipient, kind  # type: ignore[assignment]  # test data: an enum value as int or str
        claims.link_index = int(kw.get("link", 0))  # type: ignore[call-overload]  # a test value of known type
        claims.honeypot = bool(kw.get("honeypot", False))
        claims.sent_at.FromDatetime(SENT)
        hit.received_at.FromNanoseconds(int((SENT.timestamp() + seconds) * 1e9) + 789)
        if kw.get("language", True):
            hit.accept_language = "en"  # the gateway's field, not a forwarded header
        self.hits.append(hit)
        return hit

    def expected(self, classifier: Classifier) -> dict[str, Verdict]:
        verdicts: dict[str, Verdict] = {}
        seen: dict[str, list[tuple[datetime, PriorHit]]] = {}
        order = sorted(self.hits, key=lambda h: (h.received_at.ToNanoseconds(), h.hit_id))
        for hit in order:
            at = hit.received_at.ToDatetime(tzinfo=UTC)
            earlier = seen.setdefault(hit.claims.recipient_id, [])
            features = HitFeatures(
                KIND_NAMES[hit.claims.kind], hit.http_method, hit.user_agent, hit.client_ip, at,
                SENT, {**hit.headers, **({"accept-language": hit.accept_language}
                       if hit.accept_language else {})},
                hit.claims.link_index, hit.claims.honeypot,
            )  # fmt: skip
            prior = tuple(p for when, p in earlier if when < at)
            verdict = classifier.classify(features, HitHistory(prior))
            verdicts[hit.hit_id] = verdict
            earlier.append((at, PriorHit(features.kind, at, features.link_index, verdict.source,
                                         features.honeypot)))  # fmt: skip
        return verdicts


def published(bootstrap: str, tenant: str, want: int) -> list[events_pb2.Event]:
    consumer = KafkaConsumer(topics.ENGAGEMENT_EVENTS, bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=2000)  # fmt: skip
    found: list[events_pb2.Event] = []
    deadline = time.monotonic() + 30
    while len(found) < want and time.monotonic() < deadline:
        for record in consumer:
            batch = events_pb2.EventBatch.FromString(record.value)
            found += [e for e in batch.events if e.tenant_id == tenant]
    consumer.close()
    return found


def record(hits: list[events_pb2.RawHit]) -> Record:
    value = events_pb2.RawHitBatch(hits=hits).SerializeToString()
    return Record(topics.RAW_HITS, 0, 0, None, value, [])


# a batch written in parts of 2 hits (as large batches are, HITS_PER_WRITE at a time) gets
# the same events: later parts read the earlier ones' hits from the database as history
@pytest.mark.parametrize("hits_per_write", [HITS_PER_WRITE, 2])
def test_events_match_hit_by_hit_classification_and_survive_redelivery(
    engine: Engine,
    producer: KafkaProducer,
    kafka_bootstrap: str,
    hits_per_write: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(edge_consumer, "HITS_PER_WRITE", hits_per_write)
    traffic, apple = Traffic(), "17.58.99.10"
    first = [
        traffic.hit("ann", 30, OPEN, APPLE_MAIL, apple, language=False),  # MPP prefetch
        traffic.hit("ann", 3600, OPEN, APPLE_MAIL, "81.2.69.142"),  # the reader
        traffic.hit("bob", 40, CLICK, CHROME, "148.163.130.10", link=0),  # a link scanner
        traffic.hit("bob", 40.5, CLICK, CHROME, "148.163.130.10", link=1),
        traffic.hit("bob", 41, CLICK, CHROME, "148.163.130.10", link=9, honeypot=True),
        traffic.hit("cyd", 500, OPEN, CHROME, "81.2.69.142"),  # opted out: no event
    ]
    second = [  # in the next record, out of order: history comes from the database
        traffic.hit("ann", 3700, CLICK, CHROME, "81.2.69.142", link=2),
        traffic.hit("ann", 3650, CLICK, CHROME, "81.2.69.142", link=2),
        traffic.hit("ann", 3660, CLICK, CHROME, "81.2.69.142", link=2),  # a duplicate
        traffic.hit("bob", 42, CLICK, CHROME, "148.163.130.10", link=3),
        traffic.hit("dan", 900, UNSUBSCRIBE, CHROME, "81.2.69.142", method="POST"),
    ]
    classifier = Classifier.load()
    store = TrackingEdgeStore(engine)
    store.set_opt_out(traffic.tenant, "cyd", True, SENT)
    handler = RawHitHandler(store, classifier, producer)
    for hits in (first, second, first):  # the first record again: a redelivery
        handler.handle(only_items(handler.decode(record(hits))))

    expected = traffic.expected(classifier)
    events = published(kafka_bootstrap, traffic.tenant, 2 * 5 + 5)
    copies: dict[str, list[events_pb2.Event]] = {}
    for event in events:
        event.ClearField("trace")  # each processing is its own span when tracing is on
        copies.setdefault(event.event_id, []).append(event)
    assert copies.keys() == {event_id_for_hit(h.hit_id) for h in first[:5] + second}
    assert all(len(copies[event_id_for_hit(h.hit_id)]) >= 2 for h in first[:5])  # redelivered
    assert all(copy == same[0] for same in copies.values() for copy in same)
    by_hit = {e.event_id: e for e in events}
    for hit in traffic.hits:
        if hit.claims.recipient_id == "cyd":
            continue
        event, verdict = by_hit[event_id_for_hit(hit.hit_id)], expected[hit.hit_id]
        if hit.claims.kind == UNSUBSCRIBE:
            assert event.unsubscribe.one_click
            continue
        got = event.engagement
        assert (got.classification.source, got.classification.agent) == (
            SOURCES[verdict.source], verdict.agent
        ), hit.hit_id  # fmt: skip
        assert list(got.classification.reasons) == list(verdict.reasons), hit.hit_id
        assert (got.first, got.duplicate, got.client.country) == (
            verdict.first, verdict.duplicate, verdict.country
        ), hit.hit_id  # fmt: skip
    sources = {h.hit_id: expected[h.hit_id].source for h in traffic.hits}
    assert sources[first[0].hit_id] == "privacy_proxy" and sources[first[1].hit_id] == "human"
    assert {sources[h.hit_id] for h in first[2:5]} == {"security_scanner"}
    assert by_hit[event_id_for_hit(second[2].hit_id)].engagement.duplicate
    with engine.connect() as conn:
        rows: dict[str, str] = dict(conn.execute(text("SELECT hit_id, source FROM hits")).all())
    assert rows == {
        h.hit_id: sources[h.hit_id] for h in traffic.hits if h.claims.recipient_id != "cyd"
    }
