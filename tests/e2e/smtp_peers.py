"""Real SMTP peers for the relay tests: an aiosmtpd upstream that keeps what it receives
(optionally with STARTTLS and AUTH), a self-signed certificate, and relay settings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from emailtrack.platform.ports import free_port
from emailtrack.platform.supervisor import Platform
from emailtrack.relay.config import RelaySettings
from tests.tls_certs import Certificate

UPSTREAM_USER, UPSTREAM_PASSWORD = "relay", "upstream-secret"


@dataclass
class Upstream:
    """What the upstream MTA accepted: (envelope sender, recipients, content) per message."""

    port: int
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(
                (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
            )
        return "250 2.0.0 queued"

    def messages_for(self, recipient: str) -> list[bytes]:
        with self.lock:
            return [data for _, rcpts, data in self.received if recipient in rcpts]


def upstream_auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        UPSTREAM_USER.encode(),
        UPSTREAM_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False, auth_data=data)


@contextmanager
def upstream_server(port: int = 0, tls: Certificate | None = None) -> Iterator[Upstream]:
    upstream = Upstream(port or free_port())
    options: dict[str, Any] = {}
    if tls is not None:
        options = {
            "tls_context": tls.server_context(),
            "require_starttls": True,
            "authenticator": upstream_auth,
            "auth_required": True,
        }
    controller = Controller(upstream, hostname="127.0.0.1", port=upstream.port, **options)
    controller.start()
    try:
        yield upstream
    finally:
        controller.stop()


def relay_settings(
    platform: Platform, tenant: str, upstream_port: int, **env: str
) -> RelaySettings:
    values = {
        "EMAILTRACK_RELAY_PORT": "0",
        "EMAILTRACK_RELAY_TENANT": tenant,
        "EMAILTRACK_RELAY_CAMPAIGN": "relay-default",
        "EMAILTRACK_RELAY_UPSTREAM_HOST": "127.0.0.1",
        "EMAILTRACK_RELAY_UPSTREAM_PORT": str(upstream_port),
        "EMAILTRACK_TRACKING_EDGE_ADDR": f"127.0.0.1:{platform.ports['tracking-edge']}",
        "EMAILTRACK_RECIPIENT_ADDR": f"127.0.0.1:{platform.ports['recipient']}",
        "EMAILTRACK_RELAY_API_KEY": platform.admin_key,
        **env,
    }
    return RelaySettings.from_env(values)
