"""Server-side dashboard sessions. The signed cookie carries a random session id; the store
keeps only its SHA-256, so a session ends for good when it is revoked (logout) or expires,
whatever cookie a client still holds. ``PostgresSessions`` (EMAILTRACK_DASHBOARD_DATABASE_URL)
is shared by every worker and replica; ``ProcessSessions`` serves a single-worker gateway
without a database (the configuration refuses it with more workers)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine

from emailtrack.common.db import raw_transaction


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


class SessionStore(Protocol):
    def open(self, session_id: str, user: str, lifetime: timedelta) -> None: ...
    def is_live(self, session_id: str) -> bool: ...
    def revoke(self, session_id: str) -> None: ...


class ProcessSessions:
    """Sessions of one process (a single-worker gateway)."""

    def __init__(self) -> None:
        self._expiry: dict[str, datetime] = {}

    def open(self, session_id: str, user: str, lifetime: timedelta) -> None:
        now = datetime.now(UTC)
        self._expiry = {k: v for k, v in self._expiry.items() if v > now}
        self._expiry[session_hash(session_id)] = now + lifetime

    def is_live(self, session_id: str) -> bool:
        expiry = self._expiry.get(session_hash(session_id))
        return expiry is not None and expiry > datetime.now(UTC)

    def revoke(self, session_id: str) -> None:
        self._expiry.pop(session_hash(session_id), None)


class PostgresSessions:
    """Sessions in PostgreSQL, shared by every gateway worker and replica."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self, session_id: str, user: str, lifetime: timedelta) -> None:
        now = datetime.now(UTC)
        with raw_transaction(self.engine) as conn:
            conn.execute("DELETE FROM dashboard_sessions WHERE expires_at < %s", (now,))
            conn.execute(
                "INSERT INTO dashboard_sessions (session_hash, user_name, created_at, expires_at)"
                " VALUES (%s, %s, %s, %s)",
                (session_hash(session_id), user, now, now + lifetime),
            )

    def is_live(self, session_id: str) -> bool:
        with raw_transaction(self.engine) as conn:
            found = conn.execute(
                "SELECT 1 FROM dashboard_sessions WHERE session_hash = %s AND expires_at > %s",
                (session_hash(session_id), datetime.now(UTC)),
            ).fetchone()
        return found is not None

    def revoke(self, session_id: str) -> None:
        with raw_transaction(self.engine) as conn:
            conn.execute(
                "DELETE FROM dashboard_sessions WHERE session_hash = %s",
                (session_hash(session_id),),
            )
