"""Endpoints and their encrypted secrets: create, list, update, delete, rotate, and the
live secrets the worker signs with (a rotated-out secret signs until its grace ends)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from emailtrack.common.errors import NotFound, ResourceExhausted
from services.webhooks.signing import SecretBox, new_secret

MAX_ENDPOINTS_PER_TENANT = 50


class TooManyEndpoints(ResourceExhausted):
    """The tenant already has the maximum number of endpoints."""


@dataclass(frozen=True)
class Endpoint:
    endpoint_id: str
    tenant_id: str
    url: str
    events: list[str]
    batch: bool
    description: str
    enabled: bool
    disabled_reason: str
    failing_since: datetime | None
    created_at: datetime
    disabled_at: datetime | None = None


_COLUMNS = (
    "endpoint_id, tenant_id, url, events, batch, description, enabled, disabled_reason, "
    "failing_since, created_at, disabled_at"
)


def _endpoint(row: Any) -> Endpoint:
    return Endpoint(
        endpoint_id=row.endpoint_id,
        tenant_id=row.tenant_id,
        url=row.url,
        events=list(row.events),
        batch=row.batch,
        description=row.description,
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        failing_since=row.failing_since,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


class EndpointStore:
    def __init__(self, engine: Engine, box: SecretBox) -> None:
        self.engine = engine
        self.box = box

    def create(
        self, tenant_id: str, url: str, events: list[str], batch: bool, description: str
    ) -> tuple[Endpoint, str]:
        endpoint_id = "ep_" + uuid.uuid4().hex
        secret = new_secret()
        with self.engine.begin() as conn:
            count = conn.execute(
                text("SELECT count(*) FROM endpoints WHERE tenant_id = :t"), {"t": tenant_id}
            ).scalar_one()
            if count >= MAX_ENDPOINTS_PER_TENANT:
                raise TooManyEndpoints(f"at most {MAX_ENDPOINTS_PER_TENANT} endpoints per tenant")
            row = conn.execute(
                text(
                    "INSERT INTO endpoints (endpoint_id, tenant_id, url, events, batch, "
                    f"description) VALUES (:i, :t, :u, :e, :b, :d) RETURNING {_COLUMNS}"
                ),
                {
                    "i": endpoint_id,
                    "t": tenant_id,
                    "u": url,
                    "e": events,
                    "b": batch,
                    "d": description,
                },
            ).one()
            conn.execute(
                text("INSERT INTO endpoint_secrets (endpoint_id, sealed) VALUES (:i, :s)"),
                {"i": endpoint_id, "s": self.box.seal(endpoint_id, secret)},
            )
        return _endpoint(row), secret

    def of_tenant(self, tenant_id: str) -> list[Endpoint]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT {_COLUMNS} FROM endpoints WHERE tenant_id = :t ORDER BY created_at"),
                {"t": tenant_id},
            )
            return [_endpoint(r) for r in rows]

    def for_tenants(self, tenants: set[str]) -> list[Endpoint]:
        """Every endpoint (enabled or not: a disabled one keeps its backlog) of ``tenants``."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT {_COLUMNS} FROM endpoints WHERE tenant_id = ANY(:t)"),
                {"t": sorted(tenants)},
            )
            return [_endpoint(r) for r in rows]

    def filters(self, tenants: set[str] | None) -> list[tuple[str, list[str]]]:
        """(tenant, event filter) of every endpoint, enabled or not (a disabled one keeps its
        backlog), of ``tenants``; None: of every tenant."""
        query, params = "SELECT tenant_id, events FROM endpoints", {}
        if tenants is not None:
            query, params = query + " WHERE tenant_id = ANY(:t)", {"t": sorted(tenants)}
        with self.engine.connect() as conn:
            return [(row.tenant_id, list(row.events)) for row in conn.execute(text(query), params)]

    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint:
        with self.engine.connect() as conn:
            row = conn.execute(
                text(f"SELECT {_COLUMNS} FROM endpoints WHERE tenant_id = :t AND endpoint_id = :i"),
                {"t": tenant_id, "i": endpoint_id},
            ).one_or_none()
        if row is None:
            raise NotFound(f"no endpoint {endpoint_id!r} for this tenant")
        return _endpoint(row)

    def update(
        self,
        tenant_id: str,
        endpoint_id: str,
        *,
        events: list[str] | None = None,
        batch: bool | None = None,
        enabled: bool | None = None,
    ) -> Endpoint:
        self.get(tenant_id, endpoint_id)
        with self.engine.begin() as conn:
            if events is not None:
                conn.execute(
                    text("UPDATE endpoints SET events = :e WHERE endpoint_id = :i"),
                    {"e": events, "i": endpoint_id},
                )
            if batch is not None:
                conn.execute(
                    text("UPDATE endpoints SET batch = :b WHERE endpoint_id = :i"),
                    {"b": batch, "i": endpoint_id},
                )
            if enabled is not None:
                reason = "" if enabled else "disabled by the tenant"
                conn.execute(
                    text(
                        "UPDATE endpoints SET enabled = :on, disabled_reason = :r, "
                        "failing_since = NULL, disabled_at = CASE WHEN :on THEN NULL "
                        "WHEN enabled THEN now() ELSE disabled_at END WHERE endpoint_id = :i"
                    ),
                    {"on": enabled, "r": reason, "i": endpoint_id},
                )
        return self.get(tenant_id, endpoint_id)

    def delete(self, tenant_id: str, endpoint_id: str) -> None:
        with self.engine.begin() as conn:
            deleted = conn.execute(
                text("DELETE FROM endpoints WHERE tenant_id = :t AND endpoint_id = :i"),
                {"t": tenant_id, "i": endpoint_id},
            ).rowcount
        if not deleted:
            raise NotFound(f"no endpoint {endpoint_id!r} for this tenant")

    def rotate(self, tenant_id: str, endpoint_id: str, grace: timedelta) -> str:
        """A new secret; the current ones expire after ``grace`` (until then all sign)."""
        self.get(tenant_id, endpoint_id)
        secret = new_secret()
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE endpoint_secrets SET expires_at = now() + :g "
                    "WHERE endpoint_id = :i AND (expires_at IS NULL OR expires_at > now() + :g)"
                ),
                {"g": grace, "i": endpoint_id},
            )
            conn.execute(
                text("INSERT INTO endpoint_secrets (endpoint_id, sealed) VALUES (:i, :s)"),
                {"i": endpoint_id, "s": self.box.seal(endpoint_id, secret)},
            )
            conn.execute(
                text("DELETE FROM endpoint_secrets WHERE endpoint_id = :i AND expires_at <= now()"),
                {"i": endpoint_id},
            )
        return secret

    def live_secrets(self, endpoint_id: str) -> list[str]:
        """The secrets that sign now, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT sealed FROM endpoint_secrets WHERE endpoint_id = :i "
                    "AND (expires_at IS NULL OR expires_at > now()) ORDER BY secret_id DESC"
                ),
                {"i": endpoint_id},
            )
            return [self.box.open(endpoint_id, bytes(r[0])) for r in rows]
