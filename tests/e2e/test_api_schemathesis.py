"""Schemathesis fuzzes every operation of the OpenAPI document against the running gateway
(with a valid bearer token): no request may produce a server error (5xx). Bounded: a few
examples per operation and a time budget well under a minute."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from emailtrack.platform.supervisor import Platform
from tests.e2e.conftest import Operator

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_fuzzed_requests_never_get_a_server_error(
    platform: Platform, operator: Operator, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{platform.gateway_url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {operator.api_token}",
        "--checks",
        "not_a_server_error",
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        "12",
        "--max-time",
        "40",
        "--workers",
        "2",
        "--seed",
        "7",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    summary = json.loads(report.read_text())
    assert summary, "schemathesis wrote an empty report"
