"""The API key store: create, list, revoke (now or after a grace period), rotate, and verify
a presented key (constant-time hash comparison; the last-used time is written at most once
a minute per key, not per call)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from emailtrack.common import api_keys
from services.recipient.domain.errors import NotFound

COLUMNS = "prefix, tenant_id, scopes, name, created_at, revoked_at, last_used_at"
LAST_USED_GRANULARITY = "60 seconds"
ANY_TENANT = ""


@dataclass(frozen=True)
class ApiKeyRow:
    prefix: str
    tenant_id: str
    scopes: tuple[str, ...]
    name: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> ApiKeyRow:
        values = row._asdict()
        values["scopes"] = tuple(values["scopes"])
        return cls(**values)


class ApiKeyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def _insert(
        conn: Connection, tenant_id: str, scopes: Sequence[str], name: str
    ) -> tuple[ApiKeyRow, str]:
        key = api_keys.new_key()
        row = conn.execute(
            text(
                "INSERT INTO api_keys (prefix, tenant_id, scopes, name, secret_hash) "
                f"VALUES (:p, :t, :s, :n, :h) RETURNING {COLUMNS}"
            ),
            {"p": key.prefix, "t": tenant_id, "s": list(scopes), "n": name, "h": key.secret_hash},
        ).one()
        return ApiKeyRow.from_row(row), key.presented

    def create(self, tenant_id: str, scopes: Sequence[str], name: str) -> tuple[ApiKeyRow, str]:
        """The stored key and the whole key (to show once)."""
        with self.engine.begin() as conn:
            return self._insert(conn, tenant_id, scopes, name)

    def list(self, tenant_id: str, include_revoked: bool) -> list[ApiKeyRow]:
        """``tenant_id`` ANY_TENANT (operator callers) lists every tenant's keys."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    f"SELECT {COLUMNS} FROM api_keys WHERE (:t = '' OR tenant_id = :t) "
                    "AND (:all OR revoked_at IS NULL OR revoked_at > now()) "
                    "ORDER BY tenant_id, created_at, prefix"
                ),
                {"t": tenant_id, "all": include_revoked},
            ).all()
        return [ApiKeyRow.from_row(r) for r in rows]

    @staticmethod
    def _revoke(conn: Connection, tenant_id: str, prefix: str, grace_s: int) -> ApiKeyRow:
        row = conn.execute(
            text(
                "UPDATE api_keys SET revoked_at = LEAST(COALESCE(revoked_at, 'infinity'), "
                "now() + make_interval(secs => :g)) "
                "WHERE prefix = :p AND (:t = '' OR tenant_id = :t) "
                f"RETURNING {COLUMNS}"
            ),
            {"p": prefix, "t": tenant_id, "g": grace_s},
        ).one_or_none()
        if row is None:
            raise NotFound(f"no API key {prefix!r} for this tenant")
        return ApiKeyRow.from_row(row)

    def revoke(self, tenant_id: str, prefix: str, grace_s: int = 0) -> ApiKeyRow:
        with self.engine.begin() as conn:
            return self._revoke(conn, tenant_id, prefix, grace_s)

    def rotate(
        self, tenant_id: str, prefix: str, grace_s: int = 0
    ) -> tuple[ApiKeyRow, str, ApiKeyRow]:
        """A new key like ``prefix`` (same tenant, scopes, name), and the old one revoked
        after ``grace_s``: ``(new row, whole new key, old row)``."""
        with self.engine.begin() as conn:
            old = self._revoke(conn, tenant_id, prefix, grace_s)
            new, presented = self._insert(conn, old.tenant_id, old.scopes, old.name)
        return new, presented, old

    def verify(self, presented: str) -> ApiKeyRow | None:
        """The key's row when it is well formed, known, unrevoked and its secret matches."""
        parts = api_keys.split_key(presented)
        if parts is None:
            return None
        prefix, secret = parts
        with self.engine.begin() as conn:
            row = conn.execute(
                text(
                    f"SELECT {COLUMNS}, secret_hash FROM api_keys WHERE prefix = :p "
                    "AND (revoked_at IS NULL OR revoked_at > now())"
                ),
                {"p": prefix},
            ).one_or_none()
            if row is None or not api_keys.matches(secret, bytes(row.secret_hash)):
                return None
            conn.execute(
                text(
                    "UPDATE api_keys SET last_used_at = now() WHERE prefix = :p AND "
                    f"(last_used_at IS NULL OR last_used_at < now() - interval "
                    f"'{LAST_USED_GRANULARITY}')"
                ),
                {"p": prefix},
            )
        values = row._asdict()
        del values["secret_hash"]
        values["scopes"] = tuple(values["scopes"])
        return ApiKeyRow(**values)
