"""Serving an ASGI app (the gateway's Starlette routes) from granian's RSGI interface: one
HTTP request at a time (``AsgiBridge.serve``) and the app's lifespan, run from the worker's
``__rsgi_init__`` / ``__rsgi_del__`` hooks (``startup`` / ``shutdown``).

- The request body is streamed in as the app asks for it (``receive``), chunk by chunk as
  granian reads it, so the app's own bounds (``gateway.bodies``) stop reading an oversized
  body. Once the body is read, ``receive`` waits for the client to disconnect
  (``http.disconnect``), which is how Starlette stops an endless streamed response (the
  dashboard's live feeds) when its reader leaves.
- A response sent in one body message is answered with one ``response_bytes``; one sent in
  several is streamed (``response_stream``). Parts sent after the client left are dropped
  (ASGI 2.3: the app learns of the disconnect from ``receive``; raising from ``send`` instead
  would leave a streamed response's generator unfinished until garbage collection).
- What RSGI does not carry: the path as the client sent it. granian hands over the
  percent-decoded path only, so ``raw_path`` is that path encoded again: an encoded ``%2F``
  inside a path segment arrives as ``/`` and cannot be told apart from one. Header values
  that are not ASCII are left out of the RSGI scope by granian.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

from granian.rsgi import HTTPProtocol, ProtocolClosed
from granian.rsgi import Scope as RsgiScope
from starlette.types import ASGIApp, Message, Scope

log = logging.getLogger("gateway")
# granian's ASGI says 2.3 too: Starlette then watches for the disconnect while it streams
ASGI_VERSION = {"version": "3.0", "spec_version": "2.3"}
# characters RFC 3986 allows unencoded in a path, besides the unreserved ones quote() keeps
PATH_SAFE = "/:@!$&'()*+,;="
END_OF_BODY: Message = {"type": "http.request", "body": b"", "more_body": False}
DISCONNECT: Message = {"type": "http.disconnect"}
INTERNAL_ERROR = (500, [("content-type", "text/plain; charset=utf-8")], b"Internal Server Error")


def socket_address(address: str) -> tuple[str, int]:
    """granian's ``host:port`` (an IPv6 host in brackets) as ASGI's (host, port)."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port) if port.isdigit() else 0


def asgi_scope(scope: RsgiScope, state: dict[str, Any]) -> Scope:
    """The ASGI HTTP scope of an RSGI one."""
    path = scope.path
    return {
        "type": "http",
        "asgi": ASGI_VERSION,
        "http_version": scope.http_version,
        "method": scope.method,
        "scheme": scope.scheme,
        "path": path,
        "raw_path": quote(path, safe=PATH_SAFE).encode("ascii"),
        "query_string": scope.query_string.encode("latin-1"),
        "root_path": "",
        "headers": [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in scope.headers.items()
        ],
        "client": socket_address(scope.client),
        "server": socket_address(scope.server),
        "state": state.copy(),
    }


class RequestBody:
    """ASGI ``receive`` over the RSGI body stream."""

    def __init__(self, protocol: HTTPProtocol) -> None:
        self.protocol = protocol
        self.chunks = protocol.__aiter__()
        self.complete = False

    async def receive(self) -> Message:
        if self.complete:
            await self.protocol.client_disconnect()
            return DISCONNECT
        try:
            chunk: bytes = await self.chunks.__anext__()
        except StopAsyncIteration:
            chunk = b""
        except ProtocolClosed:  # the client left while sending its body
            self.complete = True
            return DISCONNECT
        if not chunk:  # granian ends the body with an empty chunk
            self.complete = True
            return END_OF_BODY
        return {"type": "http.request", "body": chunk, "more_body": True}


class Response:
    """ASGI ``send`` answering through the RSGI protocol."""

    def __init__(self, protocol: HTTPProtocol) -> None:
        self.protocol = protocol
        self.status = 0  # 0 until the response has started
        self.headers: list[tuple[str, str]] = []
        self.stream: Any = None  # granian's stream transport once the body comes in parts
        self.complete = False
        self.client_left = False

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start" and not self.status:
            self.status = message["status"]
            self.headers = [
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in message.get("headers", ())
            ]
        elif kind == "http.response.body" and self.status and not self.complete:
            await self._body(bytes(message.get("body", b"")), message.get("more_body", False))
        else:
            raise RuntimeError(f"unexpected ASGI message {kind!r} in this response state")

    async def _body(self, body: bytes, more: bool) -> None:
        self.complete = not more
        if self.stream is None:
            if not more:
                self.protocol.response_bytes(self.status, self.headers, body)
                return
            self.stream = self.protocol.response_stream(self.status, self.headers)
        if body and not self.client_left:
            try:
                await self.stream.send_bytes(body)
            except ProtocolClosed:
                self.client_left = True

    def finish(self) -> None:
        """After the app returned: a response it started without a body is sent empty, and a
        request it never answered gets a 500."""
        if not self.status:
            self.protocol.response_bytes(*INTERNAL_ERROR)
        elif self.stream is None and not self.complete:
            self.protocol.response_bytes(self.status, self.headers, b"")

    def fail(self) -> None:
        """After the app raised: a 500 unless its answer (its error page, or the first part
        of a stream) is already on its way."""
        if self.stream is None and not self.complete:
            self.protocol.response_bytes(*INTERNAL_ERROR)


class Lifespan:
    """The app's ASGI lifespan as two calls: ``startup`` (raises when the app reports a
    failed startup) and ``shutdown`` (returns once the app has finished its shutdown)."""

    def __init__(self, app: ASGIApp, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.reported: asyncio.Queue[Message] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": ASGI_VERSION, "state": self.state}
        self.task = asyncio.ensure_future(self.app(scope, self.inbox.get, self.reported.put))
        await self._step("lifespan.startup")

    async def shutdown(self) -> None:
        if self.task is not None and not self.task.done():
            await self._step("lifespan.shutdown")
            await self.task

    async def _step(self, event: str) -> None:
        assert self.task is not None
        await self.inbox.put({"type": event})
        answer = asyncio.ensure_future(self.reported.get())
        await asyncio.wait((answer, self.task), return_when=asyncio.FIRST_COMPLETED)
        if not answer.done():
            answer.cancel()
            self.task.result()  # the app's own error, if it raised
            raise RuntimeError(f"the app returned during {event}")
        reply = answer.result()
        if reply["type"] != f"{event}.complete":
            raise RuntimeError(f"{event} failed: {reply.get('message', '')}")


class AsgiBridge:
    """An ASGI app served through RSGI: requests with ``serve``, the lifespan with
    ``startup`` / ``shutdown`` from the worker's RSGI hooks (called by granian outside its
    event loop's run, so they run the loop until the step is done)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self.lifespan: Lifespan | None = None

    async def serve(self, scope: RsgiScope, protocol: HTTPProtocol) -> None:
        response = Response(protocol)
        receive = RequestBody(protocol).receive
        try:
            await self.app(asgi_scope(scope, self.state), receive, response.send)
        except Exception:
            log.exception("unhandled error serving %s %s", scope.method, scope.path)
            response.fail()
            return
        response.finish()

    def startup(self, loop: asyncio.AbstractEventLoop) -> None:
        self.lifespan = Lifespan(self.app, self.state)
        loop.run_until_complete(self.lifespan.startup())

    def shutdown(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.lifespan is not None:
            loop.run_until_complete(self.lifespan.shutdown())
