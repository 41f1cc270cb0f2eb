"""The one way the gateway reads a request body: bounded while it is read. A declared
``Content-Length`` over the limit is refused before a byte is read, and a chunked or lying
body is cut off as soon as it passes the limit, so no request can make a worker hold more
than ``limit`` bytes. JSON bodies are also checked for nesting depth before parsing."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

JSON_MAX_DEPTH = 32


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


class JsonTooDeep(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels")


async def read_bounded(request: Request, limit: int) -> bytes:
    """The whole body, or BodyTooLarge as soon as it (or its declared length) exceeds
    ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BodyTooLarge(limit)
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
