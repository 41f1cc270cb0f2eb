"""`emailtrack --help` and the light commands start without the heavy modules: the database
layer (SQLAlchemy, Alembic, psycopg), the Kafka client, tracing, the relay and the gRPC server
plumbing are imported only by the commands that use them (the CPU time this saves is in the
pull request, measured with /usr/bin/time; here only what gets imported is checked)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sqlalchemy", "alembic", "psycopg", "kafka", "opentelemetry", "aiosmtpd", "starlette")
HEAVY_OWN = (
    "emailtrack.platform.supervisor",
    "emailtrack.common.db",
    "emailtrack.common.grpc_server",
    "emailtrack.deadletters",
    "emailtrack.bounce_feed",
    "emailtrack.relay",
    "emailtrack.demo.run",
)
PROBE = """
import json, sys
from typer.testing import CliRunner
from emailtrack.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
assert result.exit_code == 0, result.output
print(json.dumps(sorted(sys.modules)))
"""


def _imported_by(*arguments: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *arguments],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY_OWN))


def test_help_imports_no_heavy_module() -> None:
    modules = _imported_by("--help")
    assert "emailtrack.commands.deadletter" in modules  # every command was registered
    assert _heavy(modules) == []


def test_a_light_command_imports_no_heavy_module() -> None:
    assert _heavy(_imported_by("campaign", "list", "--help")) == []
    assert _heavy(_imported_by("relay-password", "--help")) == []
