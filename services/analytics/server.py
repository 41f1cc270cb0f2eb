"""AnalyticsService gRPC servicer: validates requests (every query is scoped by tenant),
calls the store and turns rollup rows into response messages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, timedelta

import grpc

from emailtrack.common.errors import InvalidArgument
from emailtrack.common.rpc import rpc
from emailtrack.common.time_zones import zone_named
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc, events_pb2
from services.analytics import segment_views, views
from services.analytics.campaign_list import CampaignList
from services.analytics.codec import event_from_row
from services.analytics.domain import HUMAN_BREAKDOWN_KIND_OFFSET
from services.analytics.rpc_messages import MessageRpcs
from services.analytics.rpc_segments import SegmentRpcs, require_ids
from services.analytics.rpc_settings import FilterSettingsRpcs
from services.analytics.store import AnalyticsStore
from services.analytics.store.segments import SegmentStore
from services.analytics.store.tenant_summary import tenant_totals
from services.analytics.watch import CampaignWatcher

BUCKETS = {
    analytics_pb2.TIME_BUCKET_UNSPECIFIED: "hour",
    analytics_pb2.TIME_BUCKET_MINUTE: "minute",
    analytics_pb2.TIME_BUCKET_HOUR: "hour",
    analytics_pb2.TIME_BUCKET_DAY: "day",
}
# The longest range each bucket size may cover.
MAX_RANGE = {"minute": timedelta(days=7), "hour": timedelta(days=366), "day": None}
BREAKDOWN_KINDS = {
    events_pb2.EVENT_TYPE_UNSPECIFIED: events_pb2.EVENT_TYPE_EMAIL_OPEN,
    events_pb2.EVENT_TYPE_EMAIL_OPEN: events_pb2.EVENT_TYPE_EMAIL_OPEN,
    events_pb2.EVENT_TYPE_EMAIL_CLICK: events_pb2.EVENT_TYPE_EMAIL_CLICK,
}
MAX_EXPORTED_EVENTS = 100_000
MAX_RECENT_EVENTS = 200


def _bounded(value: int, default: int, maximum: int) -> int:
    return default if value <= 0 else min(value, maximum)


class AnalyticsServicer(
    SegmentRpcs, MessageRpcs, FilterSettingsRpcs, analytics_pb2_grpc.AnalyticsServiceServicer
):
    def __init__(
        self,
        store: AnalyticsStore,
        watcher: CampaignWatcher | None = None,
        campaign_list: CampaignList | None = None,
    ) -> None:
        self.store = store
        self.watcher = watcher or CampaignWatcher(store)
        self.campaign_list = campaign_list or CampaignList(store)
        self.segments = SegmentStore(store)

    def _stats(self, tenant_id: str, campaign_id: str) -> analytics_pb2.CampaignStats:
        counters = self.store.counters(tenant_id, [campaign_id])[campaign_id]
        activity = self.store.activity(tenant_id, [campaign_id]).get(campaign_id)
        excluded = self.store.excluded_sources(tenant_id)
        return views.campaign_stats(tenant_id, campaign_id, counters, activity, excluded)

    @rpc
    def GetCampaignStats(
        self, request: analytics_pb2.GetCampaignStatsRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetCampaignStatsResponse:
        require_ids(tenant_id=request.tenant_id, campaign_id=request.campaign_id)
        stats = self._stats(request.tenant_id, request.campaign_id)
        timing = self.segments.reply_timing(request.tenant_id, request.campaign_id)
        segment_views.with_reply_timing(stats, timing.get(("", "")))
        return analytics_pb2.GetCampaignStatsResponse(stats=stats)

    @rpc
    def GetTenantSummary(
        self, request: analytics_pb2.GetTenantSummaryRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetTenantSummaryResponse:
        require_ids(tenant_id=request.tenant_id)
        tenant = request.tenant_id
        start = request.start.ToDatetime(UTC) if request.HasField("start") else None
        end = request.end.ToDatetime(UTC) if request.HasField("end") else None
        if start is not None and end is not None and end <= start:
            raise InvalidArgument("end must be after start")
        found = tenant_totals(self.store, tenant, start, end)
        excluded = self.store.excluded_sources(tenant)
        stats = views.campaign_stats(tenant, "", found.counters, found.activity, excluded)
        timing = {}
        if found.campaign_ids:
            timing = self.segments.campaign_reply_timings(tenant, found.campaign_ids, False)
        segment_views.with_reply_timing(stats, timing.get(""))
        return analytics_pb2.GetTenantSummaryResponse(
            campaigns=len(found.campaign_ids), stats=stats
        )

    @rpc
    def GetTimeline(
        self, request: analytics_pb2.GetTimelineRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetTimelineResponse:
        require_ids(tenant_id=request.tenant_id, campaign_id=request.campaign_id)
        bucket = BUCKETS.get(request.bucket)
        if bucket is None:
            raise InvalidArgument("unknown bucket")
        time_zone = request.time_zone or "UTC"
        if zone_named(time_zone) is None:
            raise InvalidArgument(f"unknown time zone {time_zone!r}")
        start = request.start.ToDatetime(tzinfo=UTC) if request.HasField("start") else None
        end = request.end.ToDatetime(tzinfo=UTC) if request.HasField("end") else None
        if start and end and end <= start:
            raise InvalidArgument("end must be after start")
        limit = MAX_RANGE[bucket]
        if limit is not None:
            first, last = start, end
            if first is None or last is None:  # the campaign's own span bounds the range
                activity = self.store.activity(request.tenant_id, [request.campaign_id]).get(
                    request.campaign_id
                )
                first = start or (activity.first_event_at if activity else None)
                last = end or (activity.last_event_at if activity else None)
            if first and last and last - first > limit:
                raise InvalidArgument(
                    f"{bucket} buckets cover at most {limit.days} days: narrow start/end",
                )
        rows = self.store.timeline(
            request.tenant_id, request.campaign_id, bucket, time_zone, start, end
        )
        return views.timeline_response(rows)

    @rpc
    def GetTopLinks(
        self, request: analytics_pb2.GetTopLinksRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetTopLinksResponse:
        require_ids(tenant_id=request.tenant_id, campaign_id=request.campaign_id)
        rows = self.store.links(request.tenant_id, request.campaign_id)
        limit = _bounded(request.limit, 10, 1000)
        return analytics_pb2.GetTopLinksResponse(links=views.top_links(rows, limit))

    @rpc
    def GetBreakdown(
        self, request: analytics_pb2.GetBreakdownRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetBreakdownResponse:
        require_ids(tenant_id=request.tenant_id, campaign_id=request.campaign_id)
        if request.dimension == analytics_pb2.BREAKDOWN_DIMENSION_UNSPECIFIED:
            raise InvalidArgument("dimension is required")
        kind = BREAKDOWN_KINDS.get(request.event_type)
        if kind is None:
            raise InvalidArgument("event_type must be open or click")
        offset = 0 if request.include_machine else HUMAN_BREAKDOWN_KIND_OFFSET
        rows = self.store.breakdown(
            request.tenant_id, request.campaign_id, kind + offset, request.dimension
        )
        return analytics_pb2.GetBreakdownResponse(rows=views.breakdown_rows(rows))

    @rpc
    def GetRecipientEngagement(
        self, request: analytics_pb2.GetRecipientEngagementRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetRecipientEngagementResponse:
        require_ids(tenant_id=request.tenant_id, recipient_id=request.recipient_id)
        totals = self.store.recipient_totals(request.tenant_id, request.recipient_id)
        engagement = analytics_pb2.RecipientEngagement(recipient_id=request.recipient_id)
        if totals is not None:
            engagement.opens = totals.opens
            engagement.clicks = totals.clicks
            engagement.human_opens = totals.human_opens
            engagement.human_clicks = totals.human_clicks
            engagement.messages = totals.messages
            if totals.last_engagement_at is not None:
                engagement.last_engagement_at.FromDatetime(totals.last_engagement_at)
        return analytics_pb2.GetRecipientEngagementResponse(engagement=engagement)

    @rpc
    def ListCampaigns(
        self, request: analytics_pb2.ListCampaignsRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.ListCampaignsResponse:
        require_ids(tenant_id=request.tenant_id)
        return self.campaign_list.page(request)

    @rpc
    def WatchCampaignList(
        self, request: analytics_pb2.WatchCampaignListRequest, context: grpc.ServicerContext
    ) -> Iterator[analytics_pb2.WatchCampaignListResponse]:
        require_ids(tenant_id=request.tenant_id)
        stopped = threading.Event()
        context.add_callback(stopped.set)
        yield from self.campaign_list.watch(request, stopped)

    @rpc
    def WatchCampaign(
        self, request: analytics_pb2.WatchCampaignRequest, context: grpc.ServicerContext
    ) -> Iterator[analytics_pb2.WatchCampaignResponse]:
        require_ids(tenant_id=request.tenant_id, campaign_id=request.campaign_id)
        if not 0 <= request.recent_events <= MAX_RECENT_EVENTS:
            raise InvalidArgument(f"recent_events must be between 0 and {MAX_RECENT_EVENTS}")
        stopped = threading.Event()
        context.add_callback(stopped.set)
        yield from self.watcher.updates(
            request.tenant_id, request.campaign_id, stopped, request.recent_events
        )

    @rpc
    def ExportRecipientEvents(
        self, request: analytics_pb2.ExportRecipientEventsRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.ExportRecipientEventsResponse:
        require_ids(tenant_id=request.tenant_id, recipient_id=request.recipient_id)
        rows = self.store.recipient_events(
            request.tenant_id, request.recipient_id, MAX_EXPORTED_EVENTS
        )
        return analytics_pb2.ExportRecipientEventsResponse(
            events=[event_from_row(row) for row in rows]
        )
