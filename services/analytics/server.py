"""AnalyticsService gRPC servicer: proto requests to store queries."""

from __future__ import annotations

import grpc

from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc
from services.analytics.store import AnalyticsStore


def _rate(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


class AnalyticsServicer(analytics_pb2_grpc.AnalyticsServiceServicer):
    def __init__(self, store: AnalyticsStore) -> None:
        self.store = store

    def GetCampaignStats(
        self, request: analytics_pb2.GetCampaignStatsRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetCampaignStatsResponse:
        if not request.tenant_id or not request.campaign_id:
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, "tenant_id and campaign_id are required"
            )
        counts = self.store.campaign_counts(request.tenant_id, request.campaign_id)
        stats = analytics_pb2.CampaignStats(
            tenant_id=request.tenant_id,
            campaign_id=request.campaign_id,
            sent=counts.sent,
            open_rate=_rate(counts.opens_unique, counts.sent),
            click_rate=_rate(counts.clicks_unique, counts.sent),
        )
        stats.opens.total.total = counts.opens_total
        stats.opens.unique.total = counts.opens_unique
        stats.opens.unique.human = counts.human_opens_unique
        stats.clicks.total.total = counts.clicks_total
        stats.clicks.unique.total = counts.clicks_unique
        stats.clicks.unique.human = counts.human_clicks_unique
        return analytics_pb2.GetCampaignStatsResponse(stats=stats)
