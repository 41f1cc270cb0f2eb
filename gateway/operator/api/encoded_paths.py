"""Ids that contain ``/`` (a campaign ``spring/2026``) in URL paths. ASGI servers decode the
path before routing, so ``/campaigns/spring%2F2026`` would become two segments and match no
route. ``KeepEncodedSeparators`` rebuilds the path from ``raw_path`` leaving ``%2F`` and
``%25`` encoded, so an encoded slash stays inside its segment; ``path_segment`` (for links)
and ``decode_segment`` (for handlers) are the two directions of that encoding."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from starlette.types import ASGIApp, Receive, Scope, Send

_KEPT = re.compile(r"%(?:2[fF]|25)")


def path_segment(value: str) -> str:
    """``value`` as one URL path segment: everything but unreserved characters encoded."""
    return quote(value, safe="")


def decode_segment(segment: str) -> str:
    """A path parameter back to the id (only ``%2F`` and ``%25`` are still encoded)."""
    return unquote(segment)


def _decode_keeping_separators(raw: str) -> str:
    parts = _KEPT.split(raw)
    kept = _KEPT.findall(raw)
    decoded = [unquote(part) for part in parts]
    return "".join(p + (kept[i].upper() if i < len(kept) else "") for i, p in enumerate(decoded))


class KeepEncodedSeparators:
    """ASGI middleware: HTTP paths keep ``%2F`` and ``%25`` encoded for the routes below."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") if scope["type"] == "http" else None
        if raw:
            path = raw.decode("latin-1").partition("?")[0]
            scope = {**scope, "path": _decode_keeping_separators(path)}
        await self.app(scope, receive, send)
