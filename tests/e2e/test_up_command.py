"""`emailtrack up` as a user runs it: it prints every endpoint once ready, and Ctrl-C stops
everything it started — no process is left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.e2e

EXPECTED_ROWS = ("gateway (HTTP)", "tracking-edge (gRPC)", "recipient (gRPC)", "bounce (gRPC)",
                 "analytics (gRPC)", "kafka", "postgres", "dashboard login")  # fmt: skip


def test_up_prints_endpoints_and_ctrl_c_leaves_no_orphan(scratch_dir: Path) -> None:
    state = scratch_dir / "up-command"
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("EMAILTRACK_EXTERNAL_DATABASE_URL", None)
    env.pop("EMAILTRACK_EXTERNAL_KAFKA", None)
    command = [str(Path(sys.executable).parent / "emailtrack"), "up", "--auto-ports"]
    up = subprocess.Popen(
        [*command, "--state-dir", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    assert up.stdout is not None
    output: list[str] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = up.stdout.readline()
        if not line:
            break
        output.append(line)
        if "Press Ctrl-C" in line:
            break
    text = "".join(output)
    assert "Press Ctrl-C" in text, text
    for row in EXPECTED_ROWS:
        assert row in text, f"{row} missing from:\n{text}"
    children = psutil.Process(up.pid).children(recursive=True)
    # the supervisor's children run in their own sessions: find them by state folder too
    started = {p.pid for p in children} | {
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if any(str(state) in part for part in (p.info["cmdline"] or []))
    }
    assert len(started) >= 7  # 5 components (+ granian workers), PostgreSQL, broker
    up.send_signal(signal.SIGINT)
    assert up.wait(60) == 0
    time.sleep(1)
    alive = [pid for pid in started if psutil.pid_exists(pid) and psutil.Process(pid).status()
             != psutil.STATUS_ZOMBIE]  # fmt: skip
    assert alive == [], f"left behind: {alive}"
