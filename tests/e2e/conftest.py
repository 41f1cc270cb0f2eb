"""The whole platform as real processes, started once for the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emailtrack.platform.supervisor import Platform
from tests.conftest import running_platform


@pytest.fixture(scope="session")
def platform(scratch_dir: Path) -> Iterator[Platform]:
    with running_platform(scratch_dir / "platform") as running:
        yield running
