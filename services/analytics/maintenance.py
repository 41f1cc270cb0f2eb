"""Partition maintenance run periodically inside the service (create ahead, drop old)."""

from __future__ import annotations

import logging
import threading

from services.analytics.store import AnalyticsStore

log = logging.getLogger(__name__)


class PeriodicMaintenance:
    """A background job running ``store.maintain`` now and then every ``interval_s``."""

    def __init__(self, store: AnalyticsStore, ahead_days: int, interval_s: float) -> None:
        self.store = store
        self.ahead_days = ahead_days
        self.interval_s = interval_s

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                result = self.store.maintain(self.ahead_days)
                if result.created or result.dropped:
                    log.info("partitions created %s, dropped %s", result.created, result.dropped)
            except Exception:
                log.exception("partition maintenance failed; retrying later")
            stop.wait(self.interval_s)
