"""Analytics against the real broker and PostgreSQL: a generated campaign with known truth is
delivered twice and out of order; every query must equal a brute-force recomputation, and a
replay from the topics must rebuild exactly the same tables."""

from __future__ import annotations

import itertools
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from kafka import KafkaProducer

from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.topics import DEAD_LETTER
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc, events_pb2
from services.analytics.codec import CampaignDeletion
from services.analytics.consumer import EventIngestHandler
from services.analytics.replay import replay
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore
from services.analytics.store.lifecycle import CAMPAIGN_TABLES
from services.analytics.store.time_rollups import COLUMNS, HOUR_COLUMNS
from tests.grpc_credentials import TEST_AUTH, keyed_channel

pytestmark = pytest.mark.integration

T = events_pb2
SOURCES = [
    T.HIT_SOURCE_HUMAN,
    T.HIT_SOURCE_PRIVACY_PROXY,
    T.HIT_SOURCE_SECURITY_SCANNER,
    T.HIT_SOURCE_BOT,
    T.HIT_SOURCE_UNSPECIFIED,
]
SOURCE_NAMES = ("human", "privacy_proxy", "security_scanner", "bot", "unclassified")
LINKS = ["https://example.com/a", "https://example.com/b", "https://example.com/c"]
CLIENTS = [
    ("Apple Mail", "mobile", "iOS", "US"),
    ("Gmail", "webmail", "", "FR"),
    ("Outlook", "desktop", "Windows", ""),
]
# A whole-hour zone with DST (hourly rollup) and a +5:30 zone (quarter hours).
ZONES = ("America/New_York", "Asia/Kolkata")
MINUTE = analytics_pb2.TIME_BUCKET_MINUTE
TOTALS_ALSO_SHOWN = (
    T.EVENT_TYPE_EMAIL_DEFERRED,
    T.EVENT_TYPE_EMAIL_UNSUBSCRIBE,
    T.EVENT_TYPE_EMAIL_COMPLAINT,
)
HOUR, DAY = analytics_pb2.TIME_BUCKET_HOUR, analytics_pb2.TIME_BUCKET_DAY


# Apple MPP prefetches; Gmail's proxy fetches when the reader opens; "" from older producers.
PROXY_AGENTS = ("apple_mpp", "gmail_image_proxy", "")


def make_event(
    rng: random.Random, kind: T.EventType, campaign: str, n: int, at: datetime
) -> T.Event:
    event = T.Event(
        event_id=str(uuid.UUID(int=rng.getrandbits(128))),
        type=kind,
        tenant_id="acme",
        campaign_id=campaign,
        message_id=f"m{n}",
        recipient_id=f"r{n}",
    )
    event.occurred_at.FromDatetime(at)
    if kind in (T.EVENT_TYPE_EMAIL_OPEN, T.EVENT_TYPE_EMAIL_CLICK):
        eng = event.engagement
        eng.classification.source = rng.choice(SOURCES)
        if eng.classification.source == T.HIT_SOURCE_PRIVACY_PROXY:
            eng.classification.agent = rng.choice(PROXY_AGENTS)
        client, device, os, country = rng.choice(CLIENTS)
        eng.client.email_client, eng.client.device, eng.client.os = client, device, os
        eng.client.country = country
        if kind == T.EVENT_TYPE_EMAIL_CLICK:
            eng.link_index = rng.randrange(len(LINKS))
            eng.link_url = LINKS[eng.link_index]
    elif kind == T.EVENT_TYPE_EMAIL_BOUNCE:
        event.delivery.bounce_type = rng.choice([T.BOUNCE_TYPE_HARD, T.BOUNCE_TYPE_SOFT])
    return event


def generate_campaign(campaign: str, recipients: int, seed: int = 7) -> list[T.Event]:
    rng = random.Random(seed)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=30)
    events = []
    for n in range(recipients):
        sent_at = start + timedelta(seconds=rng.randrange(3600))
        events.append(make_event(rng, T.EVENT_TYPE_EMAIL_SENT, campaign, n, sent_at))

        def later(sent_at: datetime = sent_at) -> datetime:
            return sent_at + timedelta(seconds=rng.randrange(60, 100_000))

        outcome = rng.random()
        if outcome < 0.08:
            events.append(make_event(rng, T.EVENT_TYPE_EMAIL_BOUNCE, campaign, n, later()))
            continue
        if outcome < 0.12:
            events.append(make_event(rng, T.EVENT_TYPE_EMAIL_DEFERRED, campaign, n, later()))
        events.append(make_event(rng, T.EVENT_TYPE_EMAIL_DELIVERED, campaign, n, later()))
        for _ in range(rng.choice([0, 0, 1, 2, 4])):
            events.append(make_event(rng, T.EVENT_TYPE_EMAIL_OPEN, campaign, n, later()))
        for _ in range(rng.choice([0, 0, 0, 1, 3])):
            events.append(make_event(rng, T.EVENT_TYPE_EMAIL_CLICK, campaign, n, later()))
        for kind, p in (
            (T.EVENT_TYPE_EMAIL_UNSUBSCRIBE, 0.03),
            (T.EVENT_TYPE_EMAIL_COMPLAINT, 0.01),
            (T.EVENT_TYPE_EMAIL_REPLY, 0.02),
        ):
            if rng.random() < p:
                events.append(make_event(rng, kind, campaign, n, later()))
    return events


def source_counts(events: list[T.Event], unique: bool) -> dict[str, int]:
    def count(selected: list[T.Event]) -> int:
        return len({(e.message_id, e.recipient_id) for e in selected}) if unique else len(selected)

    names = dict(zip(SOURCES, SOURCE_NAMES, strict=True))
    by_name = {
        names[s]: [e for e in events if e.engagement.classification.source == s] for s in SOURCES
    }
    return {name: count(selected) for name, selected in by_name.items()} | {"total": count(events)}


def as_dict(counts: analytics_pb2.SourceCounts) -> dict[str, int]:
    return {
        f: getattr(counts, f)
        for f in ("human", "privacy_proxy", "security_scanner", "bot", "unclassified", "total")
    }


def of(events: list[T.Event], kind: int) -> list[T.Event]:
    return [e for e in events if e.type == kind]


def publish(producer: KafkaProducer, topic: str, events: list[T.Event], size: int) -> None:
    for i in range(0, len(events), size):
        batch = T.EventBatch(events=events[i : i + size])
        producer.send(topic, key=events[i].message_id.encode(), value=batch.SerializeToString())
    producer.flush()


def local_bucket(event: T.Event, zone: str, bucket: int) -> datetime:
    local = event.occurred_at.ToDatetime(tzinfo=UTC).astimezone(ZoneInfo(zone))
    start = local.replace(second=0, microsecond=0)
    if bucket != MINUTE:
        start = start.replace(minute=0)
    if bucket == DAY:
        start = start.replace(hour=0)
    return start.astimezone(UTC)


def brute_force_timeline(
    events: list[T.Event],
    zone: str,
    bucket: analytics_pb2.TimeBucket,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[datetime, tuple]:
    """Per local bucket: opens and clicks per source, delivered, bounced, sent, deferred,
    unsubscribes, complaints (from events whose time's quarter hour, or minute for minute
    buckets, is in [start, end); replies are not on the timeline)."""
    counts: dict[datetime, Counter] = {}
    for e in events:
        at = e.occurred_at.ToDatetime(tzinfo=UTC).replace(second=0, microsecond=0)
        if bucket != MINUTE:
            at = at.replace(minute=at.minute - at.minute % 15)
        if (start and at < start) or (end and at >= end) or e.type == T.EVENT_TYPE_EMAIL_REPLY:
            continue
        key = (e.type, e.engagement.classification.source if e.HasField("engagement") else 0)
        counts.setdefault(local_bucket(e, zone, bucket), Counter())[key] += 1
    return {
        at: (
            tuple(c[(T.EVENT_TYPE_EMAIL_OPEN, s)] for s in SOURCES),
            tuple(c[(T.EVENT_TYPE_EMAIL_CLICK, s)] for s in SOURCES),
            sum(n for (kind, _), n in c.items() if kind == T.EVENT_TYPE_EMAIL_DELIVERED),
            sum(n for (kind, _), n in c.items() if kind == T.EVENT_TYPE_EMAIL_BOUNCE),
            sum(n for (kind, _), n in c.items() if kind == T.EVENT_TYPE_EMAIL_SENT),
            *(sum(n for (kind, _), n in c.items() if kind == k) for k in TOTALS_ALSO_SHOWN),
        )
        for at, c in counts.items()
    }


def timeline_of(
    stub,
    campaign: str,
    zone: str,
    bucket: analytics_pb2.TimeBucket,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[datetime, tuple]:
    request = analytics_pb2.GetTimelineRequest(
        tenant_id="acme", campaign_id=campaign, bucket=bucket, time_zone=zone
    )
    if start:
        request.start.FromDatetime(start)
    if end:
        request.end.FromDatetime(end)
    points = stub.GetTimeline(request).points
    by_source = ("human", "privacy_proxy", "security_scanner", "bot", "unclassified")
    return {
        p.bucket_start.ToDatetime(tzinfo=UTC): (
            tuple(getattr(p.opens, f) for f in by_source),
            tuple(getattr(p.clicks, f) for f in by_source),
            p.delivered,
            p.bounced,
            p.sent,
            p.deferred,
            p.unsubscribes,
            p.complaints,
        )
        for p in points
    }


def run_until(loop: ConsumerLoop, condition: Callable[[], bool], timeout_s: float = 60) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(10)
    assert condition(), "condition not reached before timeout"


def snapshot(store: AnalyticsStore) -> dict[str, list[tuple]]:
    tables = {
        "events": "SELECT event_id, event_type, occurred_at, tenant_id, campaign_id, message_id, "
        "recipient_id, source, link_url, link_index, email_client, bounce_type FROM events",
        "activity": "SELECT tenant_id, campaign_id, events, first_event_at, last_event_at "
        "FROM campaign_activity",
    }
    for table in (
        "firsts",
        "campaign_counters",
        "campaign_hours",
        "campaign_minutes",
        "campaign_links",
        "campaign_breakdown",
        "recipient_engagement",
        "erased_recipients",
    ):
        tables[table] = f"SELECT * FROM {table}"
    # A mask held only between two batches leaves a row at n = 0; which transient masks occur
    # depends on how the two topics interleave, so those rows are not part of the result.
    tables["campaign_counters"] += " WHERE n <> 0"
    tables["campaign_links"] += " WHERE n <> 0"
    with store.connection() as conn:
        return {name: sorted(conn.execute(q).fetchall()) for name, q in tables.items()}


@pytest.fixture
def stack(kafka_bootstrap: str, fresh_database) -> Iterator[tuple]:
    engine = make_engine(fresh_database("analytics"))
    store = AnalyticsStore(engine)
    server = start_server(
        [
            ServiceRegistration(
                AnalyticsServicer(store),
                analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server,
                "emailtrack.v1.AnalyticsService",
            )
        ],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )
    channel = keyed_channel(f"127.0.0.1:{server.port}")
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    yield store, analytics_pb2_grpc.AnalyticsServiceStub(channel), producer
    producer.close()
    channel.close()
    server.stop(0)
    engine.dispose()


def test_generated_campaign_matches_brute_force_and_replay(kafka_bootstrap: str, stack) -> None:
    store, stub, producer = stack
    settings = KafkaSettings(kafka_bootstrap, 2000)
    topic = f"test.analytics.{uuid.uuid4().hex[:8]}"
    ensure_topics(settings, [topic, DEAD_LETTER], partitions=3)
    campaign = f"truth-{uuid.uuid4().hex[:6]}"
    events = generate_campaign(campaign, 400)
    redelivered = list(events)
    random.Random(3).shuffle(redelivered)
    publish(producer, topic, events, 37)
    publish(producer, topic, redelivered, 53)

    def ingested() -> int:
        activity = store.activity("acme", [campaign]).get(campaign)
        return activity.events if activity else 0

    loop = ConsumerLoop(
        settings, f"g-{campaign}", [topic], EventIngestHandler(store), producer, max_records=20
    )
    run_until(loop, lambda: ingested() == len(events))
    time.sleep(0.5)  # the redelivered copies must not add anything
    assert ingested() == len(events)

    stats = stub.GetCampaignStats(
        analytics_pb2.GetCampaignStatsRequest(tenant_id="acme", campaign_id=campaign)
    ).stats
    opens, clicks = of(events, T.EVENT_TYPE_EMAIL_OPEN), of(events, T.EVENT_TYPE_EMAIL_CLICK)
    bounces = of(events, T.EVENT_TYPE_EMAIL_BOUNCE)
    assert stats.sent == len(of(events, T.EVENT_TYPE_EMAIL_SENT)) == 400
    assert stats.delivered == len(of(events, T.EVENT_TYPE_EMAIL_DELIVERED))
    assert stats.deferred == len(of(events, T.EVENT_TYPE_EMAIL_DEFERRED))
    assert stats.hard_bounced == sum(e.delivery.bounce_type == T.BOUNCE_TYPE_HARD for e in bounces)
    assert stats.hard_bounced + stats.soft_bounced == len(bounces)
    assert stats.unsubscribes == len(of(events, T.EVENT_TYPE_EMAIL_UNSUBSCRIBE))
    assert stats.complaints == len(of(events, T.EVENT_TYPE_EMAIL_COMPLAINT))
    assert stats.replies == len(of(events, T.EVENT_TYPE_EMAIL_REPLY))
    assert as_dict(stats.opens.total) == source_counts(opens, unique=False)
    assert as_dict(stats.opens.unique) == source_counts(opens, unique=True)
    assert as_dict(stats.clicks.total) == source_counts(clicks, unique=False)
    assert as_dict(stats.clicks.unique) == source_counts(clicks, unique=True)
    machine = {T.HIT_SOURCE_SECURITY_SCANNER, T.HIT_SOURCE_BOT}
    filtered_opens = {
        (e.message_id, e.recipient_id)
        for e in opens
        if e.engagement.classification.source not in machine
    }
    assert stats.open_rate == pytest.approx(len(filtered_opens) / stats.delivered)
    prefetched = {
        (e.message_id, e.recipient_id)
        for e in opens
        if e.engagement.classification.source == T.HIT_SOURCE_PRIVACY_PROXY
        and e.engagement.classification.agent != "gmail_image_proxy"
    }
    assert stats.mpp_recipients == len(prefetched)

    for zone, bucket in itertools.product(ZONES, (HOUR, DAY)):
        expected = brute_force_timeline(events, zone, bucket)
        assert timeline_of(stub, campaign, zone, bucket) == expected, (zone, bucket)
    assert timeline_of(stub, campaign, "UTC", MINUTE) == brute_force_timeline(events, "UTC", MINUTE)
    # Bounds off the hour: quarter hours of the hourly rows, in both kinds of zone.
    start = min(e.occurred_at.ToDatetime(tzinfo=UTC) for e in events)
    start = start.replace(minute=45, second=0, microsecond=0) + timedelta(hours=2)
    end = start + timedelta(hours=20, minutes=30)
    for zone, bucket in itertools.product(ZONES, (HOUR, DAY, MINUTE)):
        expected = brute_force_timeline(events, zone, bucket, start, end)
        assert timeline_of(stub, campaign, zone, bucket, start, end) == expected, (zone, bucket)

    links = stub.GetTopLinks(
        analytics_pb2.GetTopLinksRequest(tenant_id="acme", campaign_id=campaign)
    ).links
    for link in links:
        on_link = [e for e in clicks if e.engagement.link_url == link.url]
        assert as_dict(link.total_clicks) == source_counts(on_link, unique=False)
        assert as_dict(link.unique_clicks) == source_counts(on_link, unique=True)
    assert {link.url for link in links} == {e.engagement.link_url for e in clicks}

    for include_machine in (False, True):
        breakdown = stub.GetBreakdown(
            analytics_pb2.GetBreakdownRequest(
                tenant_id="acme",
                campaign_id=campaign,
                dimension=analytics_pb2.BREAKDOWN_DIMENSION_COUNTRY,
                include_machine=include_machine,
            )
        ).rows
        counted = [
            e
            for e in opens
            if include_machine or e.engagement.classification.source == T.HIT_SOURCE_HUMAN
        ]
        expected_countries = Counter(e.engagement.client.country or "unknown" for e in counted)
        assert {r.value: r.count for r in breakdown} == dict(expected_countries), include_machine

    mine = [e for e in events if e.recipient_id == "r5"]
    engagement = stub.GetRecipientEngagement(
        analytics_pb2.GetRecipientEngagementRequest(tenant_id="acme", recipient_id="r5")
    ).engagement
    assert engagement.opens == len(of(mine, T.EVENT_TYPE_EMAIL_OPEN))
    assert engagement.clicks == len(of(mine, T.EVENT_TYPE_EMAIL_CLICK))
    assert engagement.messages == 1
    exported = stub.ExportRecipientEvents(
        analytics_pb2.ExportRecipientEventsRequest(tenant_id="acme", recipient_id="r5")
    ).events
    assert sorted(e.event_id for e in exported) == sorted(e.event_id for e in mine)
    other_tenant = stub.GetCampaignStats(
        analytics_pb2.GetCampaignStatsRequest(tenant_id="other", campaign_id=campaign)
    ).stats
    assert other_tenant.sent == 0 and other_tenant.opens.total.total == 0

    live = snapshot(store)
    result = replay(settings, [topic], store)
    assert result.records == len(range(0, len(events), 37)) + len(range(0, len(events), 53))
    assert result.events == 2 * len(events)
    assert snapshot(store) == live
    on_timeline = len([e for e in events if e.type != T.EVENT_TYPE_EMAIL_REPLY])
    with store.connection() as conn:
        for table, columns in (("campaign_minutes", COLUMNS), ("campaign_hours", HOUR_COLUMNS)):
            counted = conn.execute(f"SELECT sum({' + '.join(columns)}) FROM {table}").fetchone()
            assert counted == (on_timeline,), table

    store.ingest([], deletions=[CampaignDeletion("acme", campaign, datetime.now(UTC))])
    with store.connection() as conn:
        for table in CAMPAIGN_TABLES:
            left = conn.execute(
                f"SELECT count(*) FROM {table} WHERE campaign_id = %s", (campaign,)
            ).fetchone()
            assert left == (0,), table
