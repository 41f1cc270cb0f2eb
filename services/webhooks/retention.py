"""The retention job: settled deliveries (delivered or failed) and their attempt log are
deleted after the retention period, so the outbox does not grow without bound. Pending
deliveries are never deleted. The delivery log and time-range replays reach back this far."""

from __future__ import annotations

import logging
from datetime import timedelta

from emailtrack.common.periodic import IntervalJob
from services.webhooks.store.deliveries import DeliveryStore

log = logging.getLogger(__name__)


class RetentionJob(IntervalJob):
    name = "webhook retention"

    def __init__(self, deliveries: DeliveryStore, keep: timedelta, interval_s: float) -> None:
        self.deliveries = deliveries
        self.keep = keep
        self.interval_s = interval_s

    def run_once(self) -> int:
        deleted = self.deliveries.delete_settled(self.keep)
        if deleted:
            log.info("deleted %d settled deliveries older than %s", deleted, self.keep)
        return deleted
