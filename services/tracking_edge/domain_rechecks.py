"""The periodic re-check of verified tracking domains: a domain stays verified only while its
TXT record is published (a domain sold or handed over stops serving its old tenant's links once
the record has been missing for the grace period)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emailtrack.common.periodic import IntervalJob
from services.tracking_edge.tenant_domains import TenantDomains

RECHECK_ROUND_S = 600.0  # how often the job looks for domains due (each is due every ``every``)
RECHECKS_PER_ROUND = 500  # bounds one round's DNS queries; the rest are due next round


class DomainRecheckJob(IntervalJob):
    name = "tracking domain re-check"

    def __init__(
        self,
        domains: TenantDomains,
        every: timedelta,
        grace: timedelta,
        interval_s: float = RECHECK_ROUND_S,
    ) -> None:
        self.domains = domains
        self.every = every
        self.grace = grace
        self.interval_s = interval_s

    def run_once(self) -> int:
        return self.domains.recheck(datetime.now(UTC), self.every, self.grace, RECHECKS_PER_ROUND)
