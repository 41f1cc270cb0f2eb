"""The ceiling of any Python gateway on granian: apps that answer every request with the
pixel GIF and its headers and do nothing else (no token, no hit, no Kafka), served the way
the gateway is (granian, same worker count). One per granian interface: ``asgi`` (the
gateway's, as Starlette needs it) and ``rsgi`` (granian's own, its fastest)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gateway.tracking.app import PIXEL_GIF, PIXEL_HEADERS

_ASGI_HEADERS = [(name.encode(), value.encode()) for name, value in PIXEL_HEADERS]
_START = {"type": "http.response.start", "status": 200, "headers": _ASGI_HEADERS}
_BODY = {"type": "http.response.body", "body": PIXEL_GIF}


async def asgi(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] == "http":
        await send(_START)
        await send(_BODY)


async def rsgi(scope: Any, protocol: Any) -> None:
    protocol.response_bytes(200, PIXEL_HEADERS, PIXEL_GIF)
