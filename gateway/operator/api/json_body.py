"""JSON request bodies of the operator API: read with a bound (``gateway.bodies``), parsed
with its depth check, and refused as a ParameterError (422, naming the body) when too large,
too deep, not JSON or not an object (an empty body is an empty object); and typed field
readers that name the field (``messages[2].message_id``) when it has the wrong shape. The
services judge the values themselves (ids, addresses, states)."""

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


def only_fields(body: dict[str, Any], allowed: tuple[str, ...], where: str = "") -> None:
    """Refuses a field not in ``allowed`` (a typo must not be silently ignored)."""
    for key in body:
        if key not in allowed:
            raise ParameterError(
                f"{where}{key}", f"unknown field (allowed: {', '.join(allowed) or 'none'})"
            )


def string(body: dict[str, Any], name: str, maximum: int, where: str = "") -> str:
    """A string field ("" when absent) of at most ``maximum`` characters."""
    value = body.get(name, "")
    if not isinstance(value, str):
        raise ParameterError(f"{where}{name}", "must be a string")
    if len(value) > maximum:
        raise ParameterError(f"{where}{name}", f"must be at most {maximum} characters")
    return value


def integer(body: dict[str, Any], name: str, low: int, high: int, where: str = "") -> int:
    """An integer field (``low`` when absent) in [``low``, ``high``]."""
    value = body.get(name, low)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParameterError(f"{where}{name}", f"must be an integer from {low} to {high}")
    return value


def items(body: dict[str, Any], name: str, maximum: int, where: str = "") -> list[Any]:
    """A list field ([] when absent) of at most ``maximum`` items."""
    value = body.get(name, [])
    if not isinstance(value, list):
        raise ParameterError(f"{where}{name}", "must be a list")
    if len(value) > maximum:
        raise ParameterError(f"{where}{name}", f"must hold at most {maximum} items")
    return value


def strings(
    body: dict[str, Any], name: str, maximum: int, length: int, where: str = ""
) -> list[str]:
    """A list of strings, each of at most ``length`` characters."""
    found = items(body, name, maximum, where)
    for i, value in enumerate(found):
        if not isinstance(value, str) or len(value) > length:
            raise ParameterError(
                f"{where}{name}[{i}]", f"must be a string of at most {length} characters"
            )
    return found


def objects(body: dict[str, Any], name: str, maximum: int, where: str = "") -> list[dict[str, Any]]:
    """A list of JSON objects."""
    found = items(body, name, maximum, where)
    for i, value in enumerate(found):
        if not isinstance(value, dict):
            raise ParameterError(f"{where}{name}[{i}]", "must be an object")
    return found
