"""Partition maintenance run periodically inside the service (create ahead, drop old)."""

from __future__ import annotations

import logging
import threading

from services.analytics.store import AnalyticsStore

log = logging.getLogger(__name__)


class PeriodicMaintenance:
    """A daemon thread running ``store.maintain`` now and then every ``interval_s``."""

    def __init__(self, store: AnalyticsStore, ahead_days: int, interval_s: float) -> None:
        self.store = store
        self.ahead_days = ahead_days
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="partition-maintenance", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                result = self.store.maintain(self.ahead_days)
                if result.created or result.dropped:
                    log.info("partitions created %s, dropped %s", result.created, result.dropped)
            except Exception:
                log.exception("partition maintenance failed; retrying later")
            self._stop.wait(self.interval_s)
