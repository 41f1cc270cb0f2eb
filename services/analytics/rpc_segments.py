"""AnalyticsService RPCs for segments (sequence step / variant), variant significance,
sending mailboxes, warmup and tracked usage (mixed into AnalyticsServicer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc

from emailtrack.common.errors import InvalidArgument
from emailtrack.common.request_fields import check_id
from emailtrack.common.rpc import rpc
from emailtrack.v1 import analytics_pb2
from services.analytics import segment_views
from services.analytics.store.segments import SegmentStore

DIMENSIONS = {
    analytics_pb2.SEGMENT_DIMENSION_SEQUENCE_STEP: "step",
    analytics_pb2.SEGMENT_DIMENSION_VARIANT: "variant",
    analytics_pb2.SEGMENT_DIMENSION_STEP_AND_VARIANT: "step_variant",
}
MAX_MAILBOXES = 1000
MAX_WARMUP_DAYS = 366
# smaller significance levels mean nothing at email volumes, and a tiny alpha makes
# 1 - alpha/2 round to 1.0, whose normal quantile is infinite
MIN_ALPHA = 0.0001


def require_ids(**fields: str) -> None:
    """InvalidArgument when an id is missing or breaks the shared id rules."""
    absent = [name for name, value in fields.items() if not value]
    if absent:
        raise InvalidArgument(f"{', '.join(absent)} required")
    for name, value in fields.items():
        check_id(name, value)


class SegmentRpcs:
    segments: SegmentStore

    @rpc
    def GetSegmentStats(
        self, request: analytics_pb2.GetSegmentStatsRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetSegmentStatsResponse:
        require_ids(tenant_id=request.tenant_id, campaign_id=request.campaign_id)
        dimension = DIMENSIONS.get(request.dimension)
        if dimension is None:
            raise InvalidArgument("dimension is required")
        tenant, campaign = request.tenant_id, request.campaign_id
        rows = self.segments.segment_pairs(tenant, campaign, dimension)
        timings = self.segments.reply_timing(tenant, campaign, dimension)
        return analytics_pb2.GetSegmentStatsResponse(
            segments=segment_views.segments(tenant, campaign, rows, timings)
        )

    @rpc
    def GetVariantComparison(
        self, request: analytics_pb2.GetVariantComparisonRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetVariantComparisonResponse:
        require_ids(tenant_id=request.tenant_id, campaign_id=request.campaign_id)
        alpha = request.alpha or 0.05
        if not MIN_ALPHA <= alpha < 0.5:
            raise InvalidArgument(f"alpha must be in [{MIN_ALPHA}, 0.5)")
        tenant, campaign = request.tenant_id, request.campaign_id
        rows = self.segments.segment_pairs(
            tenant, campaign, "variant", request.sequence_step or None
        )
        found = segment_views.segments(tenant, campaign, rows, {})
        return segment_views.variant_comparison(found, request.baseline_variant, alpha)

    @rpc
    def ListMailboxStats(
        self, request: analytics_pb2.ListMailboxStatsRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.ListMailboxStatsResponse:
        require_ids(tenant_id=request.tenant_id)
        if len(request.mailboxes) > MAX_MAILBOXES:
            raise InvalidArgument(f"at most {MAX_MAILBOXES} mailboxes")
        wanted = list(request.mailboxes)
        rows = self.segments.mailbox_pairs(request.tenant_id, wanted)
        return analytics_pb2.ListMailboxStatsResponse(
            mailboxes=segment_views.mailbox_stats(rows, wanted)
        )

    @rpc
    def GetWarmupStats(
        self, request: analytics_pb2.GetWarmupStatsRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetWarmupStatsResponse:
        require_ids(tenant_id=request.tenant_id, mailbox=request.mailbox)
        if request.days < 0 or request.days > MAX_WARMUP_DAYS:
            raise InvalidArgument(f"days must be 0..{MAX_WARMUP_DAYS}")
        since = datetime.now(UTC).date() - timedelta(days=(request.days or 30) - 1)
        rows = self.segments.warmup_days(request.tenant_id, request.mailbox, since)
        return analytics_pb2.GetWarmupStatsResponse(days=segment_views.warmup_days(rows))

    @rpc
    def GetTrackedUsage(
        self, request: analytics_pb2.GetTrackedUsageRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetTrackedUsageResponse:
        require_ids(tenant_id=request.tenant_id)
        if not (request.HasField("start") and request.HasField("end")):
            raise InvalidArgument("start and end required")
        start = request.start.ToDatetime(tzinfo=UTC).date()
        end = request.end.ToDatetime(tzinfo=UTC).date()
        if end <= start:
            raise InvalidArgument("end must be after start")
        events, sent = self.segments.tracked_usage(request.tenant_id, start, end)
        return analytics_pb2.GetTrackedUsageResponse(tracked_events=events, sent_events=sent)
