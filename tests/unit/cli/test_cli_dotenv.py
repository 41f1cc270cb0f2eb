"""`./.env` configures the CLI (and what `emailtrack up` starts); the environment wins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.grpc_credentials import TEST_KEY
from tests.unit.cli.fake_services import FakeStack

RUN_CLI = "from emailtrack.cli import main; main()"


def _run(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EMAILTRACK_")}
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        cwd=folder,
        env={**clean, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_dot_env_fills_what_the_environment_does_not_set(stack: FakeStack, tmp_path: Path) -> None:
    assert _run(tmp_path, "campaign", "list").returncode == 2  # no tenant anywhere
    (tmp_path / ".env").write_text(
        "# the seed guide's settings\n"
        "EMAILTRACK_TENANT=acme\n"
        f"EMAILTRACK_ANALYTICS_ADDR={stack.address('analytics')}\n"
        f'EMAILTRACK_API_KEY="{TEST_KEY}"\n'
    )
    listed = _run(tmp_path, "campaign", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [c["campaign_id"] for c in json.loads(listed.stdout)["campaigns"]] == [
        "spring",
        "summer",
    ]
    overridden = _run(tmp_path, "campaign", "list", EMAILTRACK_TENANT="globex")
    assert overridden.returncode == 3 and "NOT_FOUND" in overridden.stderr
