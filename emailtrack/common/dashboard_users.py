"""Who may log in to the dashboard (read by the gateway, written by the CLI): the users of
``EMAILTRACK_DASHBOARD_USERS`` (bootstrap) overridden by the users file
``EMAILTRACK_DASHBOARD_USERS_FILE`` (``user:scrypt-hash:tenant`` lines written by ``emailtrack
dashboard set-password``; in Kubernetes a mounted Secret). The file is read again whenever it
changes, so a new password takes effect without a restart, and ends the sessions opened with
the old one (see passwords.credential_version)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from emailtrack.common.config import ConfigError


@dataclass(frozen=True)
class DashboardUser:
    name: str
    password: str
    tenant_id: str


def parse_dashboard_users(spec: list[str]) -> tuple[DashboardUser, ...]:
    """``user:password:tenant`` items (the password may contain ``:``, not ``,``); the
    password is a scrypt hash (``emailtrack dashboard set-password``) or, as a bootstrap
    only, plaintext."""
    users = []
    for item in spec:
        name, _, rest = item.partition(":")
        password, _, tenant = rest.rpartition(":")
        if not name or not password or not tenant:
            raise ConfigError("EMAILTRACK_DASHBOARD_USERS items must be 'user:password:tenant'")
        users.append(DashboardUser(name, password, tenant))
    return tuple(users)


def read_users_file(path: Path) -> tuple[DashboardUser, ...]:
    lines = [line.strip() for line in path.read_text().splitlines()]
    return parse_dashboard_users([line for line in lines if line and not line.startswith("#")])


class UserDirectory:
    def __init__(self, bootstrap: tuple[DashboardUser, ...], path: Path | None) -> None:
        self.bootstrap = {user.name: user for user in bootstrap}
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._users = dict(self.bootstrap)

    def _refresh(self) -> None:
        if self.path is None:
            return
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            stamp = None
        else:
            stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        from_file = read_users_file(self.path) if stamp is not None else ()
        self._users = {**self.bootstrap, **{user.name: user for user in from_file}}
        self._stamp = stamp

    def find(self, name: str) -> DashboardUser | None:
        self._refresh()
        return self._users.get(name)


def write_user(path: Path, user: DashboardUser) -> None:
    """Adds or replaces ``user`` in the users file, atomically, readable by its owner only."""
    existing = read_users_file(path) if path.exists() else ()
    kept = [u for u in existing if u.name != user.name]
    lines = [f"{u.name}:{u.password}:{u.tenant_id}" for u in [*kept, user]]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".dashboard-users-")
    try:
        with os.fdopen(handle, "w") as out:
            out.write("\n".join(lines) + "\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
