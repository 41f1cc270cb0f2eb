"""Tenants' tracking domains as the tracking edge uses them: registration, DNS TXT ownership
checks (at verification, then periodically: a domain whose record stays missing past a grace
period becomes unverified), which tenant a hostname is verified for (the gateway asks), and the
base URL instrumentation writes for a tenant (a short-lived cache, so a large send costs no
query per message; a verification or removal shows within ``cache_ttl_s``)."""

from __future__ import annotations

import builtins
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from emailtrack.common.errors import FailedPrecondition, NotFound
from services.tracking_edge.domain.domains import (
    InvalidDomain,
    TrackingDomain,
    new_verification_token,
    normalise_domain,
    txt_record_name,
    txt_record_value,
)
from services.tracking_edge.domain_dns import DnsUnavailable, TxtLookup
from services.tracking_edge.store.domains import TrackingDomainsStore

log = logging.getLogger(__name__)


class DomainNotFound(NotFound):
    """The tenant has not registered this domain."""


class DomainNotVerified(FailedPrecondition, ValueError):
    """The TXT record proving ownership is not published (yet); the message says which."""


class TenantDomains:
    def __init__(
        self,
        store: TrackingDomainsStore,
        lookup: TxtLookup,
        scheme: str = "https",
        port: int = 0,
        cache_ttl_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.lookup = lookup
        self.origin_suffix = f":{port}" if port else ""
        self.scheme = scheme
        self.cache_ttl_s = cache_ttl_s
        self.clock = clock
        self._cache: dict[str, tuple[float, list[str]]] = {}
        self._lock = threading.Lock()

    def register(self, tenant_id: str, raw_domain: str) -> TrackingDomain:
        domain = normalise_domain(raw_domain)
        return self.store.register(tenant_id, domain, new_verification_token(), datetime.now(UTC))

    def verify(self, tenant_id: str, raw_domain: str) -> TrackingDomain:
        """Marks the domain verified once its TXT record carries the tenant's token."""
        domain = normalise_domain(raw_domain)
        registered = self.store.get(tenant_id, domain)
        if registered is None:
            raise DomainNotFound(f"{domain} is not registered for this tenant")
        if registered.verified:
            return registered
        expected = txt_record_value(registered.verification_token)
        if expected not in self.lookup.txt_values(txt_record_name(domain)):
            raise DomainNotVerified(
                f'publish TXT {txt_record_name(domain)} "{expected}" and verify again'
            )
        verified = self.store.mark_verified(tenant_id, domain, datetime.now(UTC))
        self._forget(tenant_id)
        return verified

    def of_tenant(self, tenant_id: str) -> list[TrackingDomain]:
        return self.store.of_tenant(tenant_id)

    def remove(self, tenant_id: str, raw_domain: str) -> bool:
        removed = self.store.remove(tenant_id, normalise_domain(raw_domain))
        self._forget(tenant_id)
        return removed

    def owner(self, raw_domain: str) -> str:
        """The tenant the hostname is verified for now; empty for none (or not a hostname)."""
        try:
            domain = normalise_domain(raw_domain)
        except InvalidDomain:
            return ""
        return self.store.verified_owner(domain) or ""

    def recheck(self, now: datetime, every: timedelta, grace: timedelta, limit: int) -> int:
        """Re-reads the TXT record of up to ``limit`` verified domains not checked within
        ``every``. A domain whose record has been missing for ``grace`` (the DNS answered
        without it at each check) becomes unverified; a DNS that does not answer changes
        nothing. Returns how many domains became unverified."""
        unverified = 0
        for domain in self.store.due_for_recheck(now - every, limit):
            try:
                values = self.lookup.txt_values(txt_record_name(domain.domain))
            except DnsUnavailable as exc:
                log.warning("tracking domain re-check skipped: %s", exc)
                continue
            found = txt_record_value(domain.verification_token) in values
            if self.store.record_check(domain.tenant_id, domain.domain, now, found, now - grace):
                unverified += 1
                self._forget(domain.tenant_id)
                log.warning(
                    "tracking domain %s of tenant %s is no longer verified: its TXT record "
                    "has been missing for %s",
                    domain.domain,
                    domain.tenant_id,
                    grace,
                )
        return unverified

    def base_url(self, tenant_id: str, requested: str, default_base_url: str) -> str:
        """The base URL of the tenant's links: ``requested`` (one of its verified domains),
        else its first verified domain, else the deployment's default."""
        verified = self._verified_domains(tenant_id)
        if requested:
            domain = normalise_domain(requested)
            if domain not in verified:
                raise InvalidDomain(f"{domain} is not a verified tracking domain of the tenant")
            return self._origin(domain)
        return self._origin(verified[0]) if verified else default_base_url

    def _origin(self, domain: str) -> str:
        return f"{self.scheme}://{domain}{self.origin_suffix}"

    def _verified_domains(self, tenant_id: str) -> builtins.list[str]:  # list: the method
        now = self.clock()
        with self._lock:
            cached = self._cache.get(tenant_id)
        if cached is not None and now - cached[0] < self.cache_ttl_s:
            return cached[1]
        domains = [d.domain for d in self.store.of_tenant(tenant_id) if d.verified]
        with self._lock:
            self._cache[tenant_id] = (now, domains)
        return domains

    def _forget(self, tenant_id: str) -> None:
        with self._lock:
            self._cache.pop(tenant_id, None)
