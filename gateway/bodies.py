"""Request bodies read with a bound: the one reader for every gateway endpoint that takes a
body (unsubscribe form, ESP webhooks, the JSON API). Reading stops as soon as the body, or the
length it declares, passes the limit, so an oversized body is never held in memory."""

from __future__ import annotations

from starlette.requests import Request


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it (or its declared length) exceeds ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    return bytes(body)
