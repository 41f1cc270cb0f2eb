"""AnalyticsService RPCs for a tenant's filter settings: what its filtered opens and clicks
(open, click and click-to-open rates) leave out besides security scanners and bots (mixed into
AnalyticsServicer)."""

from __future__ import annotations

import grpc

from emailtrack.common.errors import InvalidArgument
from emailtrack.common.rpc import rpc
from emailtrack.v1 import analytics_pb2
from services.analytics.domain import PROXY, PROXY_ON_READ, UNCLASSIFIED, excluded_bits, has
from services.analytics.store import AnalyticsStore


def settings_of(excluded: int) -> analytics_pb2.FilterSettings:
    return analytics_pb2.FilterSettings(
        exclude_mpp=has(excluded, PROXY),
        exclude_on_read_proxies=has(excluded, PROXY_ON_READ),
        exclude_unclassified=has(excluded, UNCLASSIFIED),
    )


class FilterSettingsRpcs:
    store: AnalyticsStore

    @rpc
    def GetFilterSettings(
        self, request: analytics_pb2.GetFilterSettingsRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetFilterSettingsResponse:
        if not request.tenant_id:
            raise InvalidArgument("tenant_id required")
        excluded = self.store.excluded_sources(request.tenant_id)
        return analytics_pb2.GetFilterSettingsResponse(settings=settings_of(excluded))

    @rpc
    def UpdateFilterSettings(
        self, request: analytics_pb2.UpdateFilterSettingsRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.UpdateFilterSettingsResponse:
        if not request.tenant_id:
            raise InvalidArgument("tenant_id required")
        wanted = request.settings
        excluded = excluded_bits(
            wanted.exclude_mpp, wanted.exclude_on_read_proxies, wanted.exclude_unclassified
        )
        self.store.set_excluded_sources(request.tenant_id, excluded)
        return analytics_pb2.UpdateFilterSettingsResponse(settings=settings_of(excluded))
