"""Findings "no login rate limit, passwords in plaintext env" and "no CSRF token on
login/logout", "session survives logout": throttling per IP and per user (429 +
Retry-After), scrypt hashes set by ``emailtrack dashboard set-password`` (a changed password
ends old sessions), CSRF tokens, server-side sessions in PostgreSQL (logout ends a session on
every worker). The gateway app in-process; no page here needs a service."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from emailtrack.common.config import ConfigError
from emailtrack.common.dashboard_users import read_users_file, write_user
from emailtrack.common.db import ensure_database, migrate
from emailtrack.common.passwords import hash_password, verify_password
from gateway.__main__ import SESSION_MIGRATIONS
from gateway.asgi import build_gateway
from gateway.config import DashboardUser, GatewaySettings
from tests.security.gateway_app import (
    PASSWORD,
    TENANT,
    USER,
    csrf_token,
    gateway_settings,
    log_in,
)

ROOT = Path(__file__).resolve().parents[2]


def client_for(
    users: tuple[DashboardUser, ...] | None = None, users_file: Path | None = None
) -> TestClient:
    settings = gateway_settings("127.0.0.1:9", "127.0.0.1:9", users)
    operators = replace(settings.operators, dashboard_users_file=users_file)
    return TestClient(build_gateway(replace(settings, operators=operators), None))


@pytest.fixture
def client() -> Iterator[TestClient]:
    with client_for() as test_client:
        yield test_client


def test_repeated_wrong_passwords_for_a_user_get_429_with_retry_after(client: TestClient) -> None:
    statuses = [log_in(client, USER, f"wrong-{n}") for n in range(5)]
    assert statuses == [401] * 5
    form = client.get("/dashboard/login")
    reply = client.post(
        "/dashboard/login",
        data={"username": USER, "password": PASSWORD, "csrf_token": csrf_token(form.text)},
    )
    assert reply.status_code == 429  # even the right password waits out the lockout
    assert 0 < int(reply.headers["retry-after"]) <= 300


def test_one_address_trying_many_users_gets_429(client: TestClient) -> None:
    statuses = [log_in(client, f"guess-{n}", "password") for n in range(21)]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429


def test_passwords_are_scrypt_hashes_and_the_hash_is_not_a_password() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "x")
    with client_for((DashboardUser(USER, stored, TENANT),)) as client:
        assert log_in(client, USER, stored) == 401
        assert log_in(client, USER, PASSWORD) == 303


def test_set_password_cli_stores_a_hash_and_a_change_ends_old_sessions(tmp_path: Path) -> None:
    users_file = tmp_path / "dashboard-logins"
    command = [str(Path(sys.executable).parent / "emailtrack"), "dashboard", "set-password"]
    options = ["--user", "carol", "--tenant", TENANT, "--users-file", str(users_file)]
    subprocess.run(
        [*command, *options, "--password-stdin"],
        input="first password 123\n",
        text=True,
        check=True,
        cwd=ROOT,
    )
    (stored,) = read_users_file(users_file)
    assert stored.name == "carol" and stored.password.startswith("scrypt$")
    assert users_file.stat().st_mode & 0o077 == 0
    with client_for(users_file=users_file) as client:
        assert log_in(client, "carol", "first password 123") == 303
        assert client.get("/dashboard/mailboxes", follow_redirects=False).status_code != 303
        write_user(users_file, DashboardUser("carol", hash_password("second password"), TENANT))
        reply = client.get("/dashboard/mailboxes", follow_redirects=False)
        assert reply.status_code == 303  # the old session is gone
        assert log_in(client, "carol", "second password") == 303


def test_login_and_logout_need_the_forms_csrf_token(client: TestClient) -> None:
    client.get("/dashboard/login")
    forged = client.post("/dashboard/login", data={"username": USER, "password": PASSWORD})
    assert forged.status_code == 403
    assert log_in(client) == 303
    assert client.post("/dashboard/logout", data={}, follow_redirects=False).status_code == 403
    assert client.get("/dashboard/login", follow_redirects=False).status_code == 303  # still in


def test_logout_ends_the_session_on_every_worker(fresh_database_url: str) -> None:
    """Two gateway apps sharing the PostgreSQL session store stand for two workers or
    replicas: after logout on one, the old cookie is refused by both."""
    settings = gateway_settings("127.0.0.1:9", "127.0.0.1:9")
    shared = replace(
        settings, operators=replace(settings.operators, dashboard_database_url=fresh_database_url)
    )
    with (
        TestClient(build_gateway(shared, None)) as first,
        TestClient(build_gateway(shared, None)) as second,
    ):
        assert log_in(first) == 303
        cookie = first.cookies["emailtrack_dashboard"]
        second.cookies.set("emailtrack_dashboard", cookie, path="/dashboard")
        assert second.get("/dashboard/mailboxes", follow_redirects=False).status_code != 303
        token = csrf_token(first.get("/dashboard/mailboxes").text)  # the logout form's
        reply = first.post("/dashboard/logout", data={"csrf_token": token}, follow_redirects=False)
        assert reply.status_code == 303
        for client in (first, second):
            client.cookies.set("emailtrack_dashboard", cookie, path="/dashboard")  # replayed
            refused = client.get("/dashboard/mailboxes", follow_redirects=False)
            assert refused.status_code == 303
            assert refused.headers["location"].endswith("/dashboard/login")


@pytest.fixture
def fresh_database_url(postgres_url: str) -> str:
    url = str(make_url(postgres_url).set(database=f"sec_dashboard_{uuid.uuid4().hex[:8]}"))
    ensure_database(url)
    migrate(url, SESSION_MIGRATIONS)
    return url


def test_several_workers_without_a_shared_session_store_are_refused() -> None:
    env = {"EMAILTRACK_TOKEN_KEYS": "k1:" + "k" * 43, "EMAILTRACK_DASHBOARD_USERS": "a:b:c"}
    with pytest.raises(ConfigError, match="EMAILTRACK_DASHBOARD_DATABASE_URL"):
        GatewaySettings.from_env(env)
    assert GatewaySettings.from_env({**env, "EMAILTRACK_HTTP_WORKERS": "1"}).http_workers == 1
    shared = {**env, "EMAILTRACK_DASHBOARD_DATABASE_URL": "postgresql://db/dashboard"}
    assert GatewaySettings.from_env(shared).operators.dashboard_database_url
