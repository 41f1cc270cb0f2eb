"""Reply counts labelled honestly and per-message facts, on a real PostgreSQL: ``replies`` is
the total of reply events and ``unique_replies`` the (message, recipient) pairs that replied,
the same in GetCampaignStats, ListCampaigns and the segments; the reply rate is pairs over
the rate base; GetMessageEngagement reports each pair's sent, delivered, open / click (by a
person or a machine), reply, bounce, complaint and unsubscribe facts; GetTenantSummary adds
campaigns up (optionally those active in a time range) and takes the rates of the sums."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import grpc
import pytest

from emailtrack.common.db import make_engine
from emailtrack.common.errors import InvalidArgument
from emailtrack.v1 import analytics_pb2, events_pb2
from services.analytics.codec import EventRow, decode_event
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore

pytestmark = pytest.mark.integration
NO_CONTEXT = cast(grpc.ServicerContext, None)  # the RPCs read nothing of it
T = events_pb2
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TENANT = "facts"


class Events:
    """Event rows of campaign c1, each one second after the previous."""

    def __init__(self) -> None:
        self.rows: list[EventRow] = []

    def add(
        self, kind: int, recipient: str, variant: str = "A", campaign: str = "c1", **payload: object
    ) -> None:
        n = len(self.rows)
        event = events_pb2.Event(
            event_id=f"ev{n}",
            type=kind,  # type: ignore[arg-type]  # test data: an enum value as int
            tenant_id=TENANT,
            campaign_id=campaign,
            message_id=f"m-{recipient}",
            recipient_id=recipient,
            variant=variant,
        )
        later = timedelta(days=30) if campaign != "c1" else timedelta(0)
        event.occurred_at.FromDatetime(START + later + timedelta(seconds=n))
        if kind in (T.EVENT_TYPE_EMAIL_OPEN, T.EVENT_TYPE_EMAIL_CLICK):
            event.engagement.classification.source = payload["source"]  # type: ignore[assignment]  # test data
            event.engagement.classification.agent = str(payload.get("agent", ""))
            if kind == T.EVENT_TYPE_EMAIL_CLICK:
                event.engagement.link_url = "https://example.com/a"
        if kind == T.EVENT_TYPE_EMAIL_BOUNCE:
            event.delivery.bounce_type = payload["bounce_type"]  # type: ignore[assignment]  # test data
        if kind == T.EVENT_TYPE_EMAIL_REPLY:
            event.reply.address = f"{recipient}@example.com"
        row = decode_event(event)
        assert isinstance(row, EventRow)
        self.rows.append(row)


@pytest.fixture
def analytics(fresh_database) -> AnalyticsServicer:
    events = Events()
    for r in ("r0", "r1", "r2", "r3"):
        events.add(T.EVENT_TYPE_EMAIL_SENT, r, "A" if r in ("r0", "r1") else "B")
        events.add(T.EVENT_TYPE_EMAIL_DELIVERED, r, "A" if r in ("r0", "r1") else "B")
    events.add(T.EVENT_TYPE_EMAIL_REPLY, "r0")
    events.add(T.EVENT_TYPE_EMAIL_REPLY, "r0")  # the same person replies again
    events.add(T.EVENT_TYPE_EMAIL_REPLY, "r2", "B")
    events.add(T.EVENT_TYPE_EMAIL_OPEN, "r0", source=T.HIT_SOURCE_PRIVACY_PROXY, agent="apple_mpp")
    events.add(T.EVENT_TYPE_EMAIL_OPEN, "r0", source=T.HIT_SOURCE_HUMAN)
    events.add(T.EVENT_TYPE_EMAIL_CLICK, "r0", source=T.HIT_SOURCE_SECURITY_SCANNER)
    events.add(T.EVENT_TYPE_EMAIL_OPEN, "r1", source=T.HIT_SOURCE_PRIVACY_PROXY, agent="apple_mpp")
    events.add(T.EVENT_TYPE_EMAIL_BOUNCE, "r3", "B", bounce_type=T.BOUNCE_TYPE_HARD)
    events.add(T.EVENT_TYPE_EMAIL_COMPLAINT, "r1")
    events.add(T.EVENT_TYPE_EMAIL_UNSUBSCRIBE, "r2", "B")
    # a second campaign a month later: 2 sent, 2 delivered, one human open, one reply
    for r in ("s0", "s1"):
        events.add(T.EVENT_TYPE_EMAIL_SENT, r, campaign="c2")
        events.add(T.EVENT_TYPE_EMAIL_DELIVERED, r, campaign="c2")
    events.add(T.EVENT_TYPE_EMAIL_OPEN, "s0", campaign="c2", source=T.HIT_SOURCE_HUMAN)
    events.add(T.EVENT_TYPE_EMAIL_REPLY, "s1", campaign="c2")
    store = AnalyticsStore(make_engine(fresh_database("analytics")))
    store.ingest(events.rows)
    return AnalyticsServicer(store)


def test_replies_are_a_total_and_unique_replies_pairs_everywhere(
    analytics: AnalyticsServicer,
) -> None:
    asked = analytics_pb2.GetCampaignStatsRequest(tenant_id=TENANT, campaign_id="c1")
    stats = analytics.GetCampaignStats(asked, NO_CONTEXT).stats
    assert (stats.replies, stats.unique_replies, stats.delivered) == (3, 2, 4)
    assert stats.reply_rate == pytest.approx(2 / 4)
    listed = analytics.ListCampaigns(
        analytics_pb2.ListCampaignsRequest(tenant_id=TENANT), NO_CONTEXT
    ).campaigns
    by_id = {c.campaign_id: (c.replies, c.unique_replies, c.reply_rate) for c in listed}
    assert by_id == {"c1": (3, 2, stats.reply_rate), "c2": (1, 1, pytest.approx(1 / 2))}
    segments = analytics.GetSegmentStats(
        analytics_pb2.GetSegmentStatsRequest(
            tenant_id=TENANT, campaign_id="c1", dimension=analytics_pb2.SEGMENT_DIMENSION_VARIANT
        ),
        NO_CONTEXT,
    ).segments
    by_variant = {s.variant: s.stats for s in segments}
    assert (by_variant["A"].replies, by_variant["A"].unique_replies) == (2, 1)
    assert by_variant["A"].reply_rate == pytest.approx(1 / 2)
    compared = analytics.GetVariantComparison(
        analytics_pb2.GetVariantComparisonRequest(tenant_id=TENANT, campaign_id="c1"), NO_CONTEXT
    )
    # the z-test counts recipients who replied, never reply events
    assert {v.variant: (v.replies, v.reply_rate) for v in compared.variants} == {
        "A": (1, pytest.approx(0.5)),
        "B": (1, pytest.approx(0.5)),
    }


def _key(recipient: str) -> analytics_pb2.MessageRecipientKey:
    return analytics_pb2.MessageRecipientKey(message_id=f"m-{recipient}", recipient_id=recipient)


def test_message_engagement_per_pair(analytics: AnalyticsServicer) -> None:
    request = analytics_pb2.GetMessageEngagementRequest(
        tenant_id=TENANT,
        campaign_id="c1",
        keys=[_key(r) for r in ("r0", "r1", "r2", "r3", "nobody")],
    )
    found = {
        m.recipient_id: m for m in analytics.GetMessageEngagement(request, NO_CONTEXT).messages
    }
    assert set(found) == {"r0", "r1", "r2", "r3"}  # a pair without any event is left out
    r0 = found["r0"]
    assert r0.sent_at.ToDatetime(UTC) == START
    assert (r0.opens.hits, r0.opens.human, r0.opens.machine) == (2, True, True)
    assert r0.opens.first_at.ToDatetime(UTC) == START + timedelta(seconds=11)
    assert (r0.clicks.hits, r0.clicks.human, r0.clicks.machine) == (1, False, True)
    assert r0.replies == 2 and r0.HasField("first_reply_at")
    r1 = found["r1"]
    assert (r1.opens.human, r1.opens.machine) == (False, True)  # an Apple MPP prefetch only
    assert r1.HasField("complained_at") and not r1.HasField("clicks")
    assert found["r2"].HasField("unsubscribed_at") and found["r2"].replies == 1
    r3 = found["r3"]
    assert r3.bounce_type == T.BOUNCE_TYPE_HARD and r3.HasField("bounced_at")
    assert not r3.HasField("opens")


def test_message_engagement_is_bounded_and_tenant_scoped(analytics: AnalyticsServicer) -> None:
    other = analytics_pb2.GetMessageEngagementRequest(
        tenant_id="someone-else", campaign_id="c1", keys=[_key("r0")]
    )
    assert list(analytics.GetMessageEngagement(other, NO_CONTEXT).messages) == []
    too_many = analytics_pb2.GetMessageEngagementRequest(
        tenant_id=TENANT, campaign_id="c1", keys=[_key(f"r{i}") for i in range(1001)]
    )
    with pytest.raises(InvalidArgument, match="at most 1000"):
        analytics.GetMessageEngagement.__wrapped__(analytics, too_many, NO_CONTEXT)  # type: ignore[attr-defined]  # the undecorated method


def _summary(
    analytics: AnalyticsServicer, tenant: str = TENANT, **bounds: datetime
) -> analytics_pb2.GetTenantSummaryResponse:
    request = analytics_pb2.GetTenantSummaryRequest(tenant_id=tenant)
    for name, at in bounds.items():
        getattr(request, name).FromDatetime(at)
    return analytics.GetTenantSummary(request, NO_CONTEXT)


def test_tenant_summary_adds_campaigns_up_and_takes_rates_of_the_sums(
    analytics: AnalyticsServicer,
) -> None:
    everything = _summary(analytics)
    stats = everything.stats
    assert everything.campaigns == 2 and stats.campaign_id == ""
    assert (stats.sent, stats.delivered, stats.rate_base) == (6, 6, 6)
    assert (stats.replies, stats.unique_replies) == (4, 3)
    assert stats.reply_rate == pytest.approx(3 / 6)
    # opens: r0 (human + MPP), r1 (MPP only), s0 (human); filtered uniques leave none out
    assert stats.opens.unique.total == 3 and stats.filtered_unique_opens == 3
    assert stats.open_rate == pytest.approx(3 / 6)
    assert stats.hard_bounced == 1 and stats.bounce_rate == pytest.approx(1 / 6)
    assert stats.first_event_at.ToDatetime(UTC) == START
    # a range picks the campaigns active in it, each with all its figures
    late = _summary(analytics, start=START + timedelta(days=20))
    assert (late.campaigns, late.stats.sent, late.stats.unique_replies) == (1, 2, 1)
    early = _summary(analytics, end=START + timedelta(days=1))
    assert (early.campaigns, early.stats.sent) == (1, 4)
    none = _summary(analytics, start=START + timedelta(days=90))
    assert (none.campaigns, none.stats.sent, none.stats.reply_rate) == (0, 0, 0.0)
    assert _summary(analytics, "someone-else").campaigns == 0


def test_tenant_summary_refuses_an_empty_range(analytics: AnalyticsServicer) -> None:
    request = analytics_pb2.GetTenantSummaryRequest(tenant_id=TENANT)
    request.start.FromDatetime(START)
    request.end.FromDatetime(START)
    with pytest.raises(InvalidArgument, match="end must be after start"):
        analytics.GetTenantSummary.__wrapped__(analytics, request, NO_CONTEXT)  # type: ignore[attr-defined]  # the undecorated method
