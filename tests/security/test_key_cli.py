"""``emailtrack key``: create, list, rotate and revoke through the CLI against the real key
store, with a tenant admin key; the secret is printed once and never listed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from emailtrack.cli import app
from tests.security.conftest import ADMIN, SEND, Stack

pytestmark = pytest.mark.integration


def test_key_commands(stack: Stack) -> None:
    admin = stack.create_key("clico", ADMIN)
    env = {"EMAILTRACK_API_KEY": admin, "EMAILTRACK_RECIPIENT_ADDR": stack.main}

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    created = json.loads(run("key", "create", "--scope", "send", "--name", "mailer", "--json"))
    secret, prefix = created["secret"], created["key"]["prefix"]
    assert secret.startswith(f"et_{prefix}_") and created["key"]["tenant_id"] == "clico"
    listed = json.loads(run("key", "list", "--json"))["keys"]
    assert {k["prefix"] for k in listed} == {prefix, admin.split("_")[1]}
    assert secret not in run("key", "list")
    rotated = json.loads(run("key", "rotate", prefix, "--grace", "60", "--json"))
    assert rotated["revoked"]["prefix"] == prefix and rotated["key"]["scopes"] == ["send"]
    run("key", "revoke", rotated["key"]["prefix"])
    everything = json.loads(run("key", "list", "--all", "--json"))["keys"]
    assert all(k["revoked_at"] for k in everything if k["prefix"] != admin.split("_")[1])
    assert "another tenant" in run("key", "create", "--tenant", "other", "--scope", "read", code=4)
    run("key", "create", "--scope", "bogus", code=2)
    sender = stack.create_key("clico", SEND)
    env["EMAILTRACK_API_KEY"] = sender
    assert "scope" in run("key", "list", code=4)
