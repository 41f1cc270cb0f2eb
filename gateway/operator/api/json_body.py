"""JSON request bodies of the operator API: read with a bound (``gateway.bodies``), parsed
with its depth check, and refused as a ParameterError (422, naming the body) when too large,
too deep, not JSON or not an object. An empty body is an empty object."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from gateway.bodies import JsonTooDeep, bounded_body, parse_json
from gateway.operator.api.params import ParameterError


async def json_object(request: Request, limit: int) -> dict[str, Any]:
    raw = await bounded_body(request, limit)
    if raw is None:
        raise ParameterError("body", f"must be at most {limit} bytes")
    if not raw.strip():
        return {}
    try:
        body = parse_json(raw)
    except JsonTooDeep as exc:
        raise ParameterError("body", str(exc)) from exc
    except ValueError as exc:
        raise ParameterError("body", "must be a JSON object") from exc
    if not isinstance(body, dict):
        raise ParameterError("body", "must be a JSON object")
    return body
