"""Runs the relay: the aiosmtpd SMTP protocol (STARTTLS, AUTH against scrypt hashes, size limit)
on an asyncio server, bound to the handler, the SDK client and the upstream."""

from __future__ import annotations

import asyncio
import logging
import signal
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvloop
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from emailtrack.client import AsyncEmailtrackClient, ClientOptions, Endpoints
from emailtrack.common.metrics import serve_metrics
from emailtrack.relay.config import RelaySettings
from emailtrack.relay.handler import RelayHandler
from emailtrack.relay.passwords import verify_password
from emailtrack.relay.upstream import Upstream

log = logging.getLogger(__name__)


class Authenticator:
    """AUTH PLAIN/LOGIN against the configured users' scrypt hashes."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def __call__(
        self, server: SMTP, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        stored = self.users.get(user)
        password = auth_data.password.decode("utf-8", "replace")
        ok = stored is not None and verify_password(password, stored)
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


class RelayServer:
    def __init__(self, settings: RelaySettings) -> None:
        self.settings = settings
        self.port = 0
        self._server: asyncio.base_events.Server | None = None
        self._client: AsyncEmailtrackClient | None = None
        self._upstream = Upstream(settings.upstream)

    def _smtp_options(self) -> dict[str, Any]:
        s = self.settings
        options: dict[str, Any] = {
            "data_size_limit": s.max_message_bytes,
            "enable_SMTPUTF8": True,
            "decode_data": False,
            "ident": "emailtrack relay",
            "auth_require_tls": True,
        }
        if s.tls_cert and s.tls_key:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(s.tls_cert, s.tls_key)
            options.update(tls_context=context, require_starttls=s.require_tls)
        if s.users:
            options.update(authenticator=Authenticator(dict(s.users)), auth_required=True)
        return options

    async def start(self) -> int:
        s = self.settings
        endpoints = Endpoints(tracking_edge=s.tracking_edge_addr, recipient=s.recipient_addr)
        self._client = AsyncEmailtrackClient(
            ClientOptions(endpoints=endpoints, api_key=s.api_key, allow_plaintext_api_key=True)
        )
        handler = RelayHandler(s, self._client, self._upstream)
        options = self._smtp_options()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(handler, loop=loop, **options), s.host, s.port
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info(
            "SMTP relay on %s:%d -> upstream %s:%d",
            s.host,
            self.port,
            s.upstream.host,
            s.upstream.port,
        )
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._client is not None:
            await self._client.close()
        self._upstream.close()


def serve(settings: RelaySettings) -> None:
    """Runs until SIGTERM or SIGINT, on uvloop (less CPU per SMTP session than asyncio's loop)."""

    async def main() -> None:
        serve_metrics(settings.metrics_port, settings.host)
        relay = RelayServer(settings)
        await relay.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        await relay.stop()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())


@contextmanager
def relay_in_thread(settings: RelaySettings) -> Iterator[RelayServer]:
    """The relay on its own event loop in a background thread (tests, benchmarks, embedding)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="emailtrack-relay", daemon=True)
    thread.start()
    relay = RelayServer(settings)
    try:
        asyncio.run_coroutine_threadsafe(relay.start(), loop).result(timeout=30)
        yield relay
    finally:
        asyncio.run_coroutine_threadsafe(relay.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
