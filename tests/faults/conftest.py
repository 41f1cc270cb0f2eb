"""A platform of real processes for the fault-injection tests (components get killed, so it
is not shared with the end-to-end tests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emailtrack.platform.supervisor import Platform
from tests.conftest import running_platform


@pytest.fixture(scope="module")
def fault_platform(scratch_dir: Path, request: pytest.FixtureRequest) -> Iterator[Platform]:
    with running_platform(scratch_dir / f"faults-{request.module.__name__}") as running:
        yield running
