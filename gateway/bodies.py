"""Request bodies read with a bound: the one reader for every gateway endpoint that takes a
body (unsubscribe form, ESP webhooks, the JSON API, the dashboard's login and logout forms).
Reading stops as soon as the body, or the length it declares, passes the limit, so an
oversized body is never held in memory. JSON bodies are also checked for nesting depth
before parsing (a deep document would exhaust the parser's recursion)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

JSON_MAX_DEPTH = 32


class JsonTooDeep(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels")


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


def json_depth(raw: str) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (brackets inside strings do not
    count). Linear, no recursion, so it is safe on any input."""
    depth = deepest = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_json(raw: bytes, max_depth: int = JSON_MAX_DEPTH) -> Any:
    """The parsed document; JsonTooDeep past ``max_depth`` levels, ValueError when it is
    not JSON (UnicodeDecodeError is a ValueError)."""
    text = raw.decode("utf-8")
    if json_depth(text) > max_depth:
        raise JsonTooDeep(max_depth)
    return json.loads(text)
