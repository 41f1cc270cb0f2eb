"""Tracking domain storage: registrations per tenant, their TXT tokens, verification, the
periodic re-checks of verified domains, and which tenant a hostname is verified for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from emailtrack.common.errors import AlreadyExists, FailedPrecondition
from services.tracking_edge.domain.domains import TrackingDomain

_COLUMNS = "tenant_id, domain, verification_token, created_at, verified_at, check_failing_since"
MAX_DOMAINS_PER_TENANT = 100


class DomainTaken(AlreadyExists, ValueError):
    """The domain is already verified for another tenant."""


class TooManyDomains(FailedPrecondition, ValueError):
    """The tenant has as many tracking domains as allowed."""


class TrackingDomainsStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def register(self, tenant_id: str, domain: str, token: str, at: datetime) -> TrackingDomain:
        """Registers (or returns the existing registration of) ``domain`` for the tenant."""
        with self.engine.begin() as conn:
            count = conn.execute(
                text("SELECT count(*) FROM tracking_domains WHERE tenant_id = :t"),
                {"t": tenant_id},
            ).scalar_one()
            existing = self.get(tenant_id, domain)
            if existing is not None:
                return existing
            if count >= MAX_DOMAINS_PER_TENANT:
                raise TooManyDomains(f"at most {MAX_DOMAINS_PER_TENANT} tracking domains")
            conn.execute(
                text(
                    "INSERT INTO tracking_domains (tenant_id, domain, verification_token, "
                    "created_at) VALUES (:t, :d, :token, :at) ON CONFLICT DO NOTHING"
                ),
                {"t": tenant_id, "d": domain, "token": token, "at": at},
            )
        found = self.get(tenant_id, domain)
        assert found is not None
        return found

    def get(self, tenant_id: str, domain: str) -> TrackingDomain | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                text(
                    f"SELECT {_COLUMNS} FROM tracking_domains WHERE tenant_id = :t AND domain = :d"
                ),
                {"t": tenant_id, "d": domain},
            ).one_or_none()
        return None if row is None else TrackingDomain(*row)

    def of_tenant(self, tenant_id: str) -> list[TrackingDomain]:
        """The tenant's domains, in registration order."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    f"SELECT {_COLUMNS} FROM tracking_domains WHERE tenant_id = :t "
                    "ORDER BY created_at, domain"
                ),
                {"t": tenant_id},
            ).all()
        return [TrackingDomain(*row) for row in rows]

    def mark_verified(self, tenant_id: str, domain: str, at: datetime) -> TrackingDomain:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE tracking_domains SET verified_at = COALESCE(verified_at, :at), "
                        "checked_at = :at, check_failing_since = NULL "
                        "WHERE tenant_id = :t AND domain = :d"
                    ),
                    {"t": tenant_id, "d": domain, "at": at},
                )
        except IntegrityError as exc:
            raise DomainTaken(f"{domain} is verified for another tenant") from exc
        found = self.get(tenant_id, domain)
        assert found is not None
        return found

    def remove(self, tenant_id: str, domain: str) -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                text("DELETE FROM tracking_domains WHERE tenant_id = :t AND domain = :d"),
                {"t": tenant_id, "d": domain},
            )
        return bool(result.rowcount)

    def verified_owner(self, domain: str) -> str | None:
        """The tenant ``domain`` is verified for, if any (at most one: a unique index)."""
        with self.engine.connect() as conn:
            owner: str | None = conn.execute(
                text(
                    "SELECT tenant_id FROM tracking_domains "
                    "WHERE domain = :d AND verified_at IS NOT NULL"
                ),
                {"d": domain},
            ).scalar_one_or_none()
        return owner

    def due_for_recheck(self, checked_before: datetime, limit: int) -> list[TrackingDomain]:
        """Verified domains not re-checked since ``checked_before``, the longest unchecked
        first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    f"SELECT {_COLUMNS} FROM tracking_domains WHERE verified_at IS NOT NULL "
                    "AND (checked_at IS NULL OR checked_at < :before) "
                    "ORDER BY checked_at NULLS FIRST, verified_at LIMIT :limit"
                ),
                {"before": checked_before, "limit": limit},
            ).all()
        return [TrackingDomain(*row) for row in rows]

    def record_check(
        self, tenant_id: str, domain: str, at: datetime, found: bool, unverify_since: datetime
    ) -> bool:
        """Stores a re-check: a found record clears the failure; a missing one starts it (or
        keeps its start) and, once it started at or before ``unverify_since``, makes
        the domain unverified. Returns whether it did."""
        with self.engine.begin() as conn:
            if found:
                conn.execute(
                    text(
                        "UPDATE tracking_domains SET checked_at = :at, check_failing_since = NULL "
                        "WHERE tenant_id = :t AND domain = :d"
                    ),
                    {"t": tenant_id, "d": domain, "at": at},
                )
                return False
            result = conn.execute(
                text(
                    "UPDATE tracking_domains SET checked_at = :at, "
                    "check_failing_since = COALESCE(check_failing_since, :at) "
                    "WHERE tenant_id = :t AND domain = :d AND verified_at IS NOT NULL "
                    "RETURNING check_failing_since"
                ),
                {"t": tenant_id, "d": domain, "at": at},
            ).one_or_none()
            if result is None or result[0] > unverify_since:
                return False
            conn.execute(
                text(
                    "UPDATE tracking_domains SET verified_at = NULL, check_failing_since = NULL "
                    "WHERE tenant_id = :t AND domain = :d"
                ),
                {"t": tenant_id, "d": domain},
            )
            return True
