"""A prototype for measurement only (``bench/gateway_server_cpu.py``): the real gateway's pixel and
click handlers (``gateway.asgi.create_app``: tokens, hits, the Kafka publisher and its spool)
served through granian's RSGI interface instead of ASGI. ``/readyz`` answers as the gateway's;
every other path answers 404, because the Starlette routes (unsubscribe, operator API,
dashboard, ESP webhooks) are ASGI-only: serving them over RSGI would need an RSGI-to-ASGI
bridge (lifespan, streamed bodies, streamed responses), which is what this prototype tells
whether it is worth building.

The handlers are the ASGI ones, fed by a small adapter (headers to byte pairs, the two ASGI
send messages to one ``response_bytes``), so the figures include that adapter's cost."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

from emailtrack.common.tracking_urls import CLICK_PREFIX, PIXEL_PREFIX
from gateway.asgi import create_app
from gateway.tracking.app import TRACKING_METHODS


class _Responder:
    """ASGI ``send`` for one request, answered through the RSGI protocol."""

    __slots__ = ("headers", "protocol", "status")

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol
        self.status = 500
        self.headers: list[tuple[str, str]] = []

    async def send(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
            ]
        elif not message.get("more_body"):
            self.protocol.response_bytes(self.status, self.headers, message.get("body", b""))


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def _asgi_scope(scope: Any) -> dict[str, Any]:
    host, _, port = scope.client.rpartition(":")
    return {
        "type": "http",
        "method": scope.method,
        "path": scope.path,
        "query_string": scope.query_string.encode("latin-1"),
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in scope.headers.items()],
        "client": (host.strip("[]"), int(port or 0)),
    }


class RsgiGateway:
    def __init__(self) -> None:
        self.gateway = create_app().gateway

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.gateway.publisher is not None:
            self.gateway.publisher.start()

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.gateway.publisher is not None:
            self.gateway.publisher.close()

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        path: str = scope.path
        for prefix in (PIXEL_PREFIX, CLICK_PREFIX):
            segment = path[len(prefix) :]
            if path.startswith(prefix) and segment and "/" not in segment:
                if scope.method not in TRACKING_METHODS:
                    protocol.response_empty(405, [])
                    return
                responder = _Responder(protocol)
                if prefix == PIXEL_PREFIX:
                    await self.gateway.pixel(_asgi_scope(scope), segment, responder.send)
                else:
                    await self.gateway.click(_asgi_scope(scope), segment, _no_body, responder.send)
                return
        if path == "/readyz":
            publisher = self.gateway.publisher
            ready = publisher is not None and publisher.connected()
            protocol.response_str(200 if ready else 503, [], "ready" if ready else "not ready")
            return
        protocol.response_empty(404, [])


def create_rsgi_app() -> RsgiGateway:
    """Factory granian calls in every worker (``--factory``)."""
    return RsgiGateway()
