"""Background jobs of the recipient service (retention cleanup, mailbox health refresh; the
outbox relay is in outbox.py): ``run(stop)`` loops, started by the service lifecycle."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from emailtrack.common.periodic import IntervalJob
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.store.mailboxes import MailboxStore
from services.recipient.store.messages import MessageStore

log = logging.getLogger(__name__)


class RetentionJob(IntervalJob):
    """Deletes registrations older than the retention, every ``interval_s`` seconds."""

    name = "retention cleanup"

    def __init__(self, store: MessageStore, retention: timedelta, interval_s: float) -> None:
        self.store = store
        self.retention = retention
        self.interval_s = interval_s

    def run_once(self, now: datetime | None = None) -> int:
        deleted = self.store.delete_older_than((now or datetime.now(UTC)) - self.retention)
        log.info("retention cleanup deleted %d messages", deleted)
        return deleted


class MailboxHealthJob(IntervalJob):
    """Every ``interval_s``: asks analytics for each registered mailbox's health and stores
    it; a band change publishes ACCOUNT_HEALTH_UPDATE (see MailboxStore.apply_health)."""

    name = "mailbox health refresh"

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
