"""What `emailtrack up` prints about the dashboard (its URL, the user and where the password is)
and the REST API (its reference page, where its bearer token is and for which tenant)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emailtrack.platform.supervisor import Platform, PlatformOptions


def test_endpoints_name_the_dashboard_user_and_the_password_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EMAILTRACK_DASHBOARD_USERS", raising=False)
    external = PlatformOptions(tmp_path, "postgresql://db/postgres", "broker:9092")
    found = Platform(external).endpoints()
    password = (tmp_path / "dashboard-users").read_text().split(":")[1]
    assert found["dashboard"].endswith("/dashboard/")
    login = found["dashboard login"]
    assert "user 'admin' (tenant demo)" in login
    assert f"password in {tmp_path / 'dashboard-users'}" in login
    assert "EMAILTRACK_DASHBOARD_USERS=user:password:tenant" in login
    assert password not in login


def test_a_given_login_is_named_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMAILTRACK_DASHBOARD_USERS", "ops:s3cret-pass:acme")
    login = Platform(PlatformOptions(tmp_path)).dashboard_login()
    assert "user 'ops' (tenant acme), as set in EMAILTRACK_DASHBOARD_USERS" in login
    assert "s3cret-pass" not in login


def test_endpoints_name_the_api_reference_and_where_the_api_token_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EMAILTRACK_API_TOKENS", raising=False)
    found = Platform(
        PlatformOptions(tmp_path, "postgresql://db/postgres", "broker:9092")
    ).endpoints()
    token = (tmp_path / "api-tokens").read_text().split(":")[0]
    assert found["API reference"].endswith("/api/v1/docs")
    hint = found["API token"]
    assert f"tenant demo, in {tmp_path / 'api-tokens'}" in hint and token not in hint
    monkeypatch.setenv("EMAILTRACK_API_TOKENS", "a-long-enough-token-1234:acme")
    given = Platform(PlatformOptions(tmp_path)).api_token_hint()
    assert "tenant acme, as set in EMAILTRACK_API_TOKENS" in given
    assert "a-long-enough-token-1234" not in given
