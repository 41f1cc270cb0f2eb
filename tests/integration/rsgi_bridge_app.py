"""A small Starlette app served by granian through the gateway's RSGI→ASGI bridge, for
``test_rsgi_bridge.py``: it reports what it received and writes what its lifespan and its
endless stream saw into the folder named by ``BRIDGE_TEST_DIR``."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

from granian.rsgi import HTTPProtocol
from granian.rsgi import Scope as RsgiScope
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.bodies import bounded_body
from gateway.rsgi_bridge import AsgiBridge

FOLDER = Path(os.environ.get("BRIDGE_TEST_DIR", "."))
BODY_LIMIT = 64 * 1024
SHUTDOWN_WORK_S = 0.5  # the lifespan's shutdown takes this long, as a drain would


async def echo(request: Request) -> Response:
    chunks = [len(chunk) async for chunk in request.stream() if chunk]
    return JSONResponse(
        {
            "chunks": chunks,
            "path": request.url.path,
            "raw_path": request.scope["raw_path"].decode(),
            "query": request.scope["query_string"].decode(),
            "client": request.client.host if request.client else "",
            "greeting": request.state.greeting,
            "header": request.headers.get("x-test", ""),
        }
    )


async def limited(request: Request) -> Response:
    body = await bounded_body(request, BODY_LIMIT)
    if body is None:
        return PlainTextResponse("request body too large", status_code=413)
    return PlainTextResponse(str(len(body)))


async def stream(request: Request) -> Response:
    count = int(request.query_params.get("parts", "5"))

    async def parts() -> AsyncIterator[bytes]:
        for number in range(count):
            yield f"part {number}\n".encode()
            await asyncio.sleep(0.01)

    return StreamingResponse(parts(), media_type="text/plain")


async def endless(request: Request) -> Response:
    async def ticks() -> AsyncIterator[bytes]:
        try:
            while True:
                yield b"tick\n"
                await asyncio.sleep(0.05)
        finally:
            (FOLDER / "endless-closed").write_text("closed")

    return StreamingResponse(ticks(), media_type="text/event-stream")


async def boom(request: Request) -> Response:
    raise RuntimeError("the handler failed")


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[dict[str, str]]:
    (FOLDER / "started").write_text(str(os.getpid()))
    yield {"greeting": "hello from the lifespan"}
    await asyncio.sleep(SHUTDOWN_WORK_S)
    (FOLDER / "drained").write_text(str(os.getpid()))


starlette_app = Starlette(
    routes=[
        Route("/echo/{rest:path}", echo, methods=["GET", "POST"]),
        Route("/limited", limited, methods=["POST"]),
        Route("/stream", stream),
        Route("/endless", endless),
        Route("/boom", boom),
    ],
    lifespan=lifespan,
)


class BridgedApp:
    """The RSGI app granian runs: every request and the lifespan through the bridge."""

    def __init__(self) -> None:
        self.bridge = AsgiBridge(starlette_app)

    async def __rsgi__(self, scope: RsgiScope, protocol: HTTPProtocol) -> None:
        await self.bridge.serve(scope, protocol)

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.bridge.startup(loop)

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.bridge.shutdown(loop)


app = BridgedApp()
