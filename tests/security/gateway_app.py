"""The gateway ASGI app for the security tests, its operator side wired to real services,
and a raw ASGI driver that counts how much of a request body the app pulled."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from starlette.testclient import TestClient

from emailtrack.common.config import KafkaSettings
from emailtrack.common.tokens import TokenKeys
from gateway.config import DashboardUser, GatewaySettings, OperatorSettings
from gateway.tracking.app import TrackingApp
from tests.grpc_credentials import TEST_KEY

TENANT = "demo"
USER = "ops"
PASSWORD = "correct horse battery staple"
API_TOKEN = "a" * 32


def gateway_settings(
    recipient_addr: str, analytics_addr: str, users: tuple[DashboardUser, ...] | None = None
) -> GatewaySettings:
    operators = OperatorSettings(
        dashboard_users=users or (DashboardUser(USER, PASSWORD, TENANT),),
        api_tokens=((API_TOKEN, TENANT),),
        session_secret="security-test-secret",
        analytics_addr=analytics_addr,
        recipient_addr=recipient_addr,
        tracking_edge_addr="127.0.0.1:9",
        bounce_addr="127.0.0.1:9",
        service_key=TEST_KEY,
    )
    return GatewaySettings(
        http_port=0,
        http_workers=1,
        bind_host="127.0.0.1",
        kafka=KafkaSettings("127.0.0.1:1", 2000),
        token_keys=TokenKeys.parse("k1:" + "k" * 43),
        trusted_proxies=(),
        max_buffered_hits=10,
        flush_interval_ms=10,
        max_batch_hits=10,
        operators=operators,
    )


def log_in(client: TestClient, user: str = USER, password: str = PASSWORD) -> int:
    """Posts the login form as a browser does (with the form's CSRF token); the status."""
    form = client.get("/dashboard/login")
    token = csrf_token(form.text)
    reply = client.post(
        "/dashboard/login",
        data={"username": user, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    return reply.status_code


def csrf_token(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.find(marker)
    if start < 0:
        return ""
    start += len(marker)
    return html[start : html.index('"', start)]


@dataclass
class BodyFeed:
    """An endless request body in ``chunk``-byte pieces, up to ``total`` bytes."""

    total: int
    chunk: int = 64 * 1024
    sent: int = 0
    replies: list[MutableMapping[str, Any]] = field(default_factory=list)

    async def receive(self) -> dict[str, Any]:
        if self.sent >= self.total:
            return {"type": "http.request", "body": b"", "more_body": False}
        self.sent += self.chunk
        return {"type": "http.request", "body": b"x" * self.chunk, "more_body": True}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        self.replies.append(message)

    @property
    def status(self) -> int:
        return next(m["status"] for m in self.replies if m["type"] == "http.response.start")


async def post_endless_body(app: TrackingApp, path: str, feed: BodyFeed, **headers: str) -> None:
    """A POST with no Content-Length whose body is ``feed``, straight through ASGI."""
    raw_headers = [(b"content-type", b"application/x-www-form-urlencoded")] + [
        (name.encode(), value.encode()) for name, value in headers.items()
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw_headers,
        "client": ("203.0.113.9", 5000),
        "server": ("127.0.0.1", 8080),
    }
    await app(scope, feed.receive, feed.send)
