"""Honest totals and rates on a real PostgreSQL: a reload marked duplicate by the tracking edge
is stored but not counted in totals, and opens through Gmail's proxy (fetched when the reader
opens) are reads in the MPP-adjusted open rate while Apple MPP prefetches are not; a
tenant's filter settings change what its filtered rates count."""

from __future__ import annotations

from typing import cast

import grpc
import pytest

from emailtrack.common.db import make_engine
from emailtrack.v1 import analytics_pb2, events_pb2
from services.analytics.codec import EventRow, decode_event
from services.analytics.domain import Metric, campaign_figures
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore

pytestmark = pytest.mark.integration
NO_CONTEXT = cast(grpc.ServicerContext, None)  # the RPCs read nothing of it
OPEN = events_pb2.EVENT_TYPE_EMAIL_OPEN


def open_event(
    n: int, recipient: str, source: int, agent: str = "", duplicate: bool = False
) -> EventRow:
    event = events_pb2.Event(
        event_id=f"e{n}",
        type=OPEN,
        tenant_id="honest",
        campaign_id="c1",
        message_id=f"m-{recipient}",
        recipient_id=recipient,
    )
    event.occurred_at.GetCurrentTime()
    event.engagement.classification.source = source  # type: ignore[assignment]  # test data: an enum value as int or str
    event.engagement.classification.agent = agent
    event.engagement.duplicate = duplicate
    row = decode_event(event)
    assert isinstance(row, EventRow)
    return row


def test_duplicates_out_of_totals_and_gmail_reads_in_the_mpp_rate(fresh_database) -> None:
    human, proxy = events_pb2.HIT_SOURCE_HUMAN, events_pb2.HIT_SOURCE_PRIVACY_PROXY
    delivered = []
    for i in range(10):
        event = events_pb2.Event(
            event_id=f"d{i}",
            type=events_pb2.EVENT_TYPE_EMAIL_DELIVERED,
            tenant_id="honest",
            campaign_id="c1",
            message_id=f"m-r{i}",
            recipient_id=f"r{i}",
        )
        event.occurred_at.GetCurrentTime()
        row = decode_event(event)
        assert isinstance(row, EventRow)
        delivered.append(row)
    rows = [
        open_event(1, "r0", human),
        open_event(2, "r0", human, duplicate=True),  # a reload seconds later
        open_event(3, "r1", proxy, "gmail_image_proxy"),
        open_event(4, "r2", proxy, "gmail_image_proxy"),
        open_event(5, "r3", proxy, "apple_mpp"),
        open_event(6, "r4", proxy, "apple_mpp"),
    ]
    store = AnalyticsStore(make_engine(fresh_database("analytics")))
    store.ingest(delivered + rows)
    counters = store.counters("honest", ["c1"])["c1"]
    figures = campaign_figures(counters)
    assert figures.opens_total.human == 1  # the duplicate is stored, not counted
    assert figures.opens_unique.privacy_proxy == 4
    assert figures.mpp_recipients == 2
    # reads: r0 (human), r1 and r2 (Gmail); 3 of the 8 non-MPP recipients -> 3/8 applied to 2
    assert figures.mpp_adjusted_open_rate == pytest.approx((3 + 2 * 3 / 8) / 10)
    with store.connection() as conn:
        stored = conn.execute("SELECT count(*) FROM events WHERE tenant_id = 'honest'").fetchone()
    assert stored is not None and stored[0] == 16
    assert Metric.OPEN_MASK in {metric for metric, _, _ in counters}
    store.engine.dispose()


def test_tenant_filter_settings_change_what_filtered_rates_count(fresh_database) -> None:
    store = AnalyticsStore(make_engine(fresh_database("analytics")))
    human, proxy = events_pb2.HIT_SOURCE_HUMAN, events_pb2.HIT_SOURCE_PRIVACY_PROXY
    delivered = []
    for i in range(4):
        event = events_pb2.Event(
            event_id=f"d{i}",
            type=events_pb2.EVENT_TYPE_EMAIL_DELIVERED,
            tenant_id="honest",
            campaign_id="c1",
            message_id=f"m-r{i}",
            recipient_id=f"r{i}",
        )
        event.occurred_at.GetCurrentTime()
        row = decode_event(event)
        assert isinstance(row, EventRow)
        delivered.append(row)
    store.ingest(
        [
            *delivered,
            open_event(1, "r0", human),
            open_event(2, "r1", proxy, "apple_mpp"),
            open_event(3, "r2", proxy, "gmail_image_proxy"),
        ]
    )
    servicer = AnalyticsServicer(store)
    request = analytics_pb2.GetCampaignStatsRequest(tenant_id="honest", campaign_id="c1")
    assert servicer.GetCampaignStats(request, NO_CONTEXT).stats.open_rate == pytest.approx(3 / 4)
    update = analytics_pb2.UpdateFilterSettingsRequest(
        tenant_id="honest", settings=analytics_pb2.FilterSettings(exclude_mpp=True)
    )
    assert servicer.UpdateFilterSettings(update, NO_CONTEXT).settings.exclude_mpp
    assert servicer.GetCampaignStats(request, NO_CONTEXT).stats.open_rate == pytest.approx(2 / 4)
    got = servicer.GetFilterSettings(
        analytics_pb2.GetFilterSettingsRequest(tenant_id="honest"), NO_CONTEXT
    ).settings
    assert (got.exclude_mpp, got.exclude_on_read_proxies) == (True, False)
    other = analytics_pb2.GetFilterSettingsRequest(tenant_id="other")
    assert not servicer.GetFilterSettings(other, NO_CONTEXT).settings.exclude_mpp
    store.engine.dispose()
