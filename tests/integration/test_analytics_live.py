"""Analytics service behaviour on a real PostgreSQL: live updates within a second, erasure,
tenant scoping and paging, request validation, partition retention."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc, events_pb2
from services.analytics.codec import Erasure, EventRow
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore
from services.analytics.store.partitions import existing_partitions
from services.analytics.watch import CampaignWatcher
from tests.grpc_credentials import TEST_AUTH, keyed_channel

pytestmark = pytest.mark.integration
OPEN = events_pb2.EVENT_TYPE_EMAIL_OPEN


def open_row(n: int, campaign: str = "c1", tenant: str = "acme", **extra: Any) -> EventRow:
    return EventRow(
        f"{tenant}-{campaign}-{n}",
        OPEN,
        datetime.now(UTC),
        tenant,
        campaign,
        f"m{n}",
        f"r{n}",
        source=events_pb2.HIT_SOURCE_HUMAN,
        **extra,
    )


@pytest.fixture
def service(fresh_database) -> Iterator[tuple]:
    engine = make_engine(fresh_database("analytics"))
    store = AnalyticsStore(engine, retention_days=30)
    servicer = AnalyticsServicer(store, CampaignWatcher(store, poll_interval_s=0.05))
    server = start_server(
        [
            ServiceRegistration(
                servicer,
                analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server,
                "emailtrack.v1.AnalyticsService",
            )
        ],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )
    channel = keyed_channel(f"127.0.0.1:{server.port}")
    yield store, analytics_pb2_grpc.AnalyticsServiceStub(channel)
    channel.close()
    server.stop(0)
    engine.dispose()


def test_watch_streams_new_events_within_a_second(service) -> None:
    store, stub = service
    store.ingest([open_row(0)])
    stream = stub.WatchCampaign(
        analytics_pb2.WatchCampaignRequest(tenant_id="acme", campaign_id="c1")
    )
    first = next(stream)
    assert first.stats.opens.total.total == 1 and not first.new_events
    received: list[tuple[float, analytics_pb2.WatchCampaignResponse]] = []

    def read() -> None:
        received.append((time.monotonic(), next(stream)))

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.3)
    ingested_at = time.monotonic()
    store.ingest([open_row(1), open_row(2)])
    reader.join(5)
    stream.cancel()
    arrived, update = received[0]
    assert arrived - ingested_at < 1.0
    assert update.stats.opens.total.total == 3
    assert sorted(e.event_id for e in update.new_events) == ["acme-c1-1", "acme-c1-2"]


def test_erasure_forgets_the_recipient_but_keeps_aggregates(service) -> None:
    store, stub = service
    rows = [open_row(1), open_row(2)]
    store.ingest(rows)
    store.ingest([], [Erasure("acme", "r1", datetime.now(UTC))])
    store.ingest(rows)  # redelivery after the erasure
    export = stub.ExportRecipientEvents(
        analytics_pb2.ExportRecipientEventsRequest(tenant_id="acme", recipient_id="r1")
    )
    assert not export.events
    engagement = stub.GetRecipientEngagement(
        analytics_pb2.GetRecipientEngagementRequest(tenant_id="acme", recipient_id="r1")
    ).engagement
    assert engagement.opens == 0 and engagement.messages == 0
    stats = stub.GetCampaignStats(
        analytics_pb2.GetCampaignStatsRequest(tenant_id="acme", campaign_id="c1")
    ).stats
    assert stats.opens.total.total == 2 and stats.opens.unique.total == 2
    with store.connection() as conn:
        left = conn.execute("SELECT count(*) FROM events WHERE recipient_id = 'r1'").fetchone()
    assert left == (0,)


def test_campaigns_are_paged_and_scoped_by_tenant(service) -> None:
    store, stub = service
    store.ingest(
        [open_row(n, campaign=f"c{n:02d}") for n in range(5)]
        + [open_row(9, campaign="other", tenant="globex")]
    )
    seen, token = [], ""
    while True:
        page = stub.ListCampaigns(
            analytics_pb2.ListCampaignsRequest(tenant_id="acme", page_size=2, page_token=token)
        )
        seen += [c.campaign_id for c in page.campaigns]
        assert all(c.opens.total.total == 1 for c in page.campaigns)
        token = page.next_page_token
        if not token:
            break
    assert seen == ["c00", "c01", "c02", "c03", "c04"]


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.GetCampaignStats(analytics_pb2.GetCampaignStatsRequest(campaign_id="c")),
        lambda s: s.GetTimeline(
            analytics_pb2.GetTimelineRequest(
                tenant_id="t", campaign_id="c", time_zone="Mars/Olympus"
            )
        ),
        lambda s: s.GetBreakdown(analytics_pb2.GetBreakdownRequest(tenant_id="t", campaign_id="c")),
        lambda s: s.ListCampaigns(
            analytics_pb2.ListCampaignsRequest(tenant_id="t", page_token="!!")
        ),
        lambda s: s.GetRecipientEngagement(
            analytics_pb2.GetRecipientEngagementRequest(tenant_id="t")
        ),
    ],
)
def test_bad_requests_are_invalid_argument(service, call) -> None:
    _, stub = service
    with pytest.raises(grpc.RpcError) as error:
        call(stub)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_retention_drops_old_partitions_and_ignores_expired_events(service) -> None:
    store, _ = service
    today = datetime.now(UTC).date()
    old = datetime.now(UTC) - timedelta(days=20)
    store.ingest([EventRow("old", OPEN, old, "acme", "c1", "m", "r")])
    later = today + timedelta(days=15)
    result = store.maintain(ahead_days=2, today=later)
    assert old.date() in result.dropped
    assert {later, later + timedelta(days=2)} <= set(result.created)
    with store.connection() as conn:
        days = existing_partitions(conn)
    assert min(days) >= later - timedelta(days=30)
    counters = store.counters("acme", ["c1"])["c1"]
    assert (OPEN, 0, 1) in counters  # rollups are kept
    store.ingest([EventRow("ancient", OPEN, old - timedelta(days=40), "acme", "c1", "m", "r")])
    assert store.counters("acme", ["c1"])["c1"] == counters


def test_watch_reports_reply_timing_as_campaign_stats(service) -> None:
    store, stub = service
    sent_at = datetime.now(UTC) - timedelta(hours=2)
    kinds = ((events_pb2.EVENT_TYPE_EMAIL_SENT, sent_at), (events_pb2.EVENT_TYPE_EMAIL_REPLY, None))
    rows = [
        EventRow(
            f"e{kind}-{n}",
            kind,
            at or sent_at + timedelta(minutes=10 * (n + 1)),
            "acme",
            "c1",
            f"m{n}",
            f"r{n}",
        )
        for n in range(3)
        for kind, at in kinds
    ]
    store.ingest(rows)
    stream = stub.WatchCampaign(
        analytics_pb2.WatchCampaignRequest(tenant_id="acme", campaign_id="c1")
    )
    watched = next(stream).stats
    stream.cancel()
    stats = stub.GetCampaignStats(
        analytics_pb2.GetCampaignStatsRequest(tenant_id="acme", campaign_id="c1")
    ).stats
    assert watched.unique_replies == stats.unique_replies == 3
    assert watched.median_seconds_to_first_reply == stats.median_seconds_to_first_reply == 1200
    assert watched.first_reply_at == stats.first_reply_at
    assert watched.first_reply_at.ToDatetime(tzinfo=UTC) == sent_at + timedelta(minutes=10)


def test_an_event_counts_in_the_minute_and_quarter_hour_it_occurred_in(service) -> None:
    store, stub = service
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    last_instant = hour + timedelta(minutes=15) - timedelta(microseconds=1)
    store.ingest(
        [
            open_row(1)._replace(occurred_at=last_instant),  # 10:14:59.999999 is in :00-:14
            open_row(2)._replace(occurred_at=hour + timedelta(minutes=15)),
        ]
    )

    def timeline(bucket: analytics_pb2.TimeBucket, zone: str) -> list[tuple[datetime, int]]:
        request = analytics_pb2.GetTimelineRequest(
            tenant_id="acme", campaign_id="c1", bucket=bucket, time_zone=zone
        )
        points = stub.GetTimeline(request).points
        return [(p.bucket_start.ToDatetime(tzinfo=UTC), p.opens.human) for p in points]

    minute = analytics_pb2.TIME_BUCKET_MINUTE
    assert timeline(minute, "UTC") == [
        (hour + timedelta(minutes=14), 1),
        (hour + timedelta(minutes=15), 1),
    ]
    # Kathmandu (+5:45) hours start at :15 UTC: the two opens fall on either side.
    assert timeline(analytics_pb2.TIME_BUCKET_HOUR, "Asia/Kathmandu") == [
        (hour - timedelta(minutes=45), 1),
        (hour + timedelta(minutes=15), 1),
    ]
    assert timeline(analytics_pb2.TIME_BUCKET_HOUR, "UTC") == [(hour, 2)]


def test_watch_starts_with_the_latest_stored_events_and_never_repeats_them(service) -> None:
    store, stub = service
    rows = [open_row(n) for n in range(5)]
    for row in rows:
        store.ingest([row])  # one transaction each: five ingestion times
    stream = stub.WatchCampaign(
        analytics_pb2.WatchCampaignRequest(tenant_id="acme", campaign_id="c1", recent_events=3)
    )
    first = next(stream)
    assert [e.event_id for e in first.new_events] == ["acme-c1-2", "acme-c1-3", "acme-c1-4"]
    store.ingest([open_row(5), rows[4]])  # a redelivered event comes along
    update = next(stream)
    stream.cancel()
    assert [e.event_id for e in update.new_events] == ["acme-c1-5"]
    assert update.stats.opens.total.total == 6


def test_watch_refuses_an_oversized_backlog(service) -> None:
    _, stub = service
    request = analytics_pb2.WatchCampaignRequest(
        tenant_id="acme", campaign_id="c1", recent_events=201
    )
    with pytest.raises(grpc.RpcError) as error:
        next(stub.WatchCampaign(request))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "recent_events" in (error.value.details() or "")


def test_watched_campaign_list_is_sent_again_when_a_campaign_changes_or_joins(service) -> None:
    store, stub = service
    store.ingest([open_row(1, campaign="b"), open_row(9, campaign="x", tenant="globex")])
    stream = stub.WatchCampaignList(analytics_pb2.WatchCampaignListRequest(tenant_id="acme"))
    first = next(stream)
    assert [(c.campaign_id, c.opens.total.total) for c in first.campaigns] == [("b", 1)]
    store.ingest([open_row(2, campaign="b")])
    assert [(c.campaign_id, c.opens.total.total) for c in next(stream).campaigns] == [("b", 2)]
    store.ingest([open_row(3, campaign="a")])
    joined = next(stream)
    stream.cancel()
    assert [c.campaign_id for c in joined.campaigns] == ["a", "b"]
    assert not joined.next_page_token
