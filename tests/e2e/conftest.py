"""The whole platform as real processes (embedded PostgreSQL, tansu, gateway, services),
started once for the end-to-end tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from emailtrack.platform.supervisor import Platform, PlatformOptions


@pytest.fixture(scope="session")
def platform(scratch_dir: Path) -> Iterator[Platform]:
    options = PlatformOptions(
        state_dir=scratch_dir / "platform",
        database_url=os.environ.get("EMAILTRACK_TEST_DATABASE_URL"),
        kafka_bootstrap=os.environ.get("EMAILTRACK_TEST_KAFKA"),
        auto_ports=True,
    )
    running = Platform(options)
    try:
        running.start(timeout_s=90)
    except BaseException:
        running.stop()
        for log in sorted((options.state_dir / "logs").glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-3000:]}")
        raise
    yield running
    running.stop()
