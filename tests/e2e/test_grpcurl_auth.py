"""README's grpcurl lines against the running platform: the key `emailtrack up` created opens
the sender API through the `authorization` header; without it the call is refused, while
reflection and health stay open."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emailtrack.platform.supervisor import Platform

GRPCURL = shutil.which("grpcurl", path=str(Path(sys.executable).parent)) or "grpcurl"


def grpcurl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GRPCURL, "-plaintext", *args], capture_output=True, text=True, timeout=30, check=False
    )


@pytest.mark.skipif(shutil.which(GRPCURL) is None, reason="grpcurl is not installed")
def test_grpcurl_with_the_printed_key(platform: Platform) -> None:
    address = f"127.0.0.1:{platform.ports['analytics']}"
    request = json.dumps({"tenant_id": "acme", "campaign_id": "nothing-yet"})
    method = "emailtrack.v1.AnalyticsService/GetCampaignStats"
    refused = grpcurl("-d", request, address, method)
    assert refused.returncode != 0 and "Unauthenticated" in refused.stderr
    header = f"authorization: Bearer {platform.admin_key}"
    answered = grpcurl("-H", header, "-d", request, address, method)
    assert answered.returncode == 0, answered.stderr
    listed = grpcurl(address, "list")
    assert "emailtrack.v1.AnalyticsService" in listed.stdout
    assert (platform.options.state_dir / "admin-key").read_text().strip() == platform.admin_key
