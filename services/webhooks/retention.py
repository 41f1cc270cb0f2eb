"""The retention job: settled deliveries (delivered or failed) and their attempt log are
deleted after the retention period, so the outbox does not grow without bound. Pending
deliveries are never deleted. The delivery log and time-range replays reach back this far."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from services.webhooks.store.deliveries import DeliveryStore

log = logging.getLogger(__name__)


class RetentionJob:
    def __init__(self, deliveries: DeliveryStore, keep: timedelta, interval_s: float) -> None:
        self.deliveries = deliveries
        self.keep = keep
        self.interval_s = interval_s

    def run_once(self) -> int:
        deleted = self.deliveries.delete_settled(self.keep)
        if deleted:
            log.info("deleted %d settled deliveries older than %s", deleted, self.keep)
        return deleted

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval_s):
            try:
                self.run_once()
            except Exception:
                log.exception("webhook retention failed; retrying at the next interval")
