"""Background jobs of the recipient service (retention cleanup, mailbox health refresh; the
outbox relay is in outbox.py): ``run(stop)`` loops, started by the service lifecycle."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from services.recipient.analytics_client import AnalyticsClient
from services.recipient.store.mailboxes import MailboxStore
from services.recipient.store.messages import MessageStore

log = logging.getLogger(__name__)


class RetentionJob:
    """Deletes registrations older than the retention, every ``interval_s`` seconds."""

    def __init__(self, store: MessageStore, retention: timedelta, interval_s: float) -> None:
        self.store = store
        self.retention = retention
        self.interval_s = interval_s

    def run_once(self, now: datetime | None = None) -> int:
        deleted = self.store.delete_older_than((now or datetime.now(UTC)) - self.retention)
        log.info("retention cleanup deleted %d messages", deleted)
        return deleted

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval_s):
            try:
                self.run_once()
            except Exception:
                log.exception("retention cleanup failed; will retry at the next interval")


class MailboxHealthJob:
    """Every ``interval_s``: asks analytics for each registered mailbox's health and stores
    it; a band change publishes ACCOUNT_HEALTH_UPDATE (see MailboxStore.apply_health)."""

    def __init__(self, store: MailboxStore, analytics: AnalyticsClient, interval_s: float) -> None:
        self.store = store
        self.analytics = analytics
        self.interval_s = interval_s

    def run_once(self) -> int:
        """Returns how many band changes were published."""
        published = 0
        for tenant_id in self.store.tenants():
            addresses = [m.address for m in self.store.list(tenant_id)]
            for stats in self.analytics.mailbox_stats(tenant_id, addresses):
                published += self.store.apply_health(
                    tenant_id, stats.mailbox, stats.health_score, stats.health_band
                )
        return published

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval_s):
            try:
                self.run_once()
            except Exception:
                log.exception("mailbox health refresh failed; will retry at the next interval")
