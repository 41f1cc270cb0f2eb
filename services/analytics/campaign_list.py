"""The tenant's campaign list, one page at a time: ListCampaigns' page, and the stream of
WatchCampaignList, which sends the page again whenever a campaign on it changed (each ingest
transaction bumps its campaign's activity version) or a new campaign joined it."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from emailtrack.common.request_fields import (
    check_page_size,
    decode_page_token,
    encode_page_token,
)
from emailtrack.v1 import analytics_pb2
from services.analytics import segment_views, views
from services.analytics.store import Activity, AnalyticsStore
from services.analytics.store.segments import SegmentStore

CAMPAIGN_PAGE_PREFIX = "c:"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class CampaignList:
    """Pages of a tenant's campaigns (ordered by campaign id) with their statistics."""

    def __init__(self, store: AnalyticsStore, poll_interval_s: float = 1.0) -> None:
        self.store = store
        self.segments = SegmentStore(store)
        self.poll_interval_s = poll_interval_s

    def page(
        self, request: analytics_pb2.ListCampaignsRequest
    ) -> analytics_pb2.ListCampaignsResponse:
        after = decode_page_token(CAMPAIGN_PAGE_PREFIX, request.page_token)
        size = check_page_size(request.page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        found = self.store.list_campaigns(request.tenant_id, after, size + 1)
        campaigns, token = self._stats(request.tenant_id, found, size)
        return analytics_pb2.ListCampaignsResponse(campaigns=campaigns, next_page_token=token)

    def watch(
        self, request: analytics_pb2.WatchCampaignListRequest, stopped: threading.Event
    ) -> Iterator[analytics_pb2.WatchCampaignListResponse]:
        """The page at once, then again each time one of its campaigns' versions (or the
        campaigns on it) changed, until ``stopped`` is set."""
        after = decode_page_token(CAMPAIGN_PAGE_PREFIX, request.page_token)
        size = check_page_size(request.page_size, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        shown: list[tuple[str, int]] | None = None
        while not stopped.is_set():
            found = self.store.list_campaigns(request.tenant_id, after, size + 1)
            versions = [(a.campaign_id, a.version) for a in found]
            if versions != shown:
                campaigns, token = self._stats(request.tenant_id, found, size)
                yield analytics_pb2.WatchCampaignListResponse(
                    campaigns=campaigns, next_page_token=token
                )
                shown = versions
            stopped.wait(self.poll_interval_s)

    def _stats(
        self, tenant_id: str, found: Sequence[Activity], size: int
    ) -> tuple[list[analytics_pb2.CampaignStats], str]:
        """The statistics of the page's first ``size`` campaigns, and the next page's token
        (empty when ``found`` holds no more than ``size``)."""
        ids = [a.campaign_id for a in found[:size]]
        counters = self.store.counters(tenant_id, ids)
        excluded = self.store.excluded_sources(tenant_id)
        timings = self.segments.campaign_reply_timings(tenant_id, ids)
        campaigns = [
            segment_views.with_reply_timing(
                views.campaign_stats(
                    tenant_id, a.campaign_id, counters[a.campaign_id], a, excluded
                ),
                timings.get(a.campaign_id),
            )
            for a in found[:size]
        ]
        token = encode_page_token(CAMPAIGN_PAGE_PREFIX, ids[-1]) if len(found) > size else ""
        return campaigns, token
