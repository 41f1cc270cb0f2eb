"""A platform of real processes for the fault-injection tests: components, PostgreSQL and the
broker get killed, so it is never shared with the end-to-end tests nor with external servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emailtrack.platform.supervisor import Platform
from tests.conftest import running_platform


@pytest.fixture(scope="module")
def fault_platform(scratch_dir: Path, request: pytest.FixtureRequest) -> Iterator[Platform]:
    state_dir = scratch_dir / f"faults-{request.module.__name__}"
    with pytest.MonkeyPatch.context() as patch:
        # The loads reload a few pixels many times a second: every acknowledged hit must be
        # counted, so the reload window (duplicates stored but left out of totals) is closed.
        patch.setenv("EMAILTRACK_DUPLICATE_WINDOW_S", "0")
        with running_platform(state_dir, allow_external=False) as running:
            yield running
