"""WatchCampaign: polls the campaign's activity version (bumped by each ingest transaction)
and streams refreshed stats (reply timing included, as GetCampaignStats) plus the events
ingested since the previous update (the first update: the latest stored ones, if asked)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from emailtrack.v1 import analytics_pb2
from services.analytics import segment_views, views
from services.analytics.codec import event_from_row
from services.analytics.store import AnalyticsStore
from services.analytics.store.segments import SegmentStore


class CampaignWatcher:
    """Produces WatchCampaignResponse messages until ``stopped`` is set.

    An ingest transaction's ``ingested_at`` is its start time, so events are fetched with an
    ``overlap`` behind the newest one already sent and de-duplicated by event id. At most
    ``max_events`` events are fetched per update; the stats are always complete. The first
    update also carries the ``recent`` latest stored events (the backlog), never sent again.
    """

    def __init__(
        self,
        store: AnalyticsStore,
        poll_interval_s: float = 0.2,
        overlap: timedelta = timedelta(seconds=5),
        max_events: int = 2000,
    ) -> None:
        self.store = store
        self.segments = SegmentStore(store)
        self.poll_interval_s = poll_interval_s
        self.overlap = overlap
        self.max_events = max_events

    def updates(
        self, tenant_id: str, campaign_id: str, stopped: threading.Event, recent: int = 0
    ) -> Iterator[analytics_pb2.WatchCampaignResponse]:
        watermark = datetime.now(UTC)
        seen: dict[str, datetime] = {
            row.event_id: at for row, at in self._events(tenant_id, campaign_id, watermark)
        }
        backlog = self.store.latest_events(tenant_id, campaign_id, recent) if recent > 0 else []
        version: int | None = None
        while not stopped.is_set():
            activity = self.store.activity(tenant_id, [campaign_id]).get(campaign_id)
            current = activity.version if activity else 0
            if current != version:
                fetched = self._events(tenant_id, campaign_id, watermark)
                fresh = [row for row, _ in backlog]
                for row, at in backlog:
                    seen[row.event_id] = at
                backlog = []
                fresh += [row for row, _ in fetched if row.event_id not in seen]
                for row, at in fetched:
                    seen[row.event_id] = at
                    watermark = max(watermark, at)
                horizon = watermark - self.overlap
                seen = {event_id: at for event_id, at in seen.items() if at >= horizon}
                counters = self.store.counters(tenant_id, [campaign_id])[campaign_id]
                excluded = self.store.excluded_sources(tenant_id)
                stats = views.campaign_stats(tenant_id, campaign_id, counters, activity, excluded)
                timing = self.segments.reply_timing(tenant_id, campaign_id).get(("", ""))
                yield analytics_pb2.WatchCampaignResponse(
                    stats=segment_views.with_reply_timing(stats, timing),
                    new_events=[event_from_row(row) for row in fresh],
                )
                version = current
            stopped.wait(self.poll_interval_s)

    def _events(self, tenant_id: str, campaign_id: str, watermark: datetime) -> list:
        return self.store.events_since(
            tenant_id, campaign_id, watermark - self.overlap, self.max_events
        )
