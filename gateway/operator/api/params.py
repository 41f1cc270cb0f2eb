"""Checking request parameters before they reach a service: each helper returns the clean
value or raises ``ParameterError`` naming the parameter and what is wrong (HTTP 422). Pure."""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TypeVar

from emailtrack.common.request_fields import MAX_ID_LENGTH as SERVICE_MAX_ID_LENGTH
from emailtrack.common.request_fields import InvalidRequest, check_id
from emailtrack.common.time_zones import zone_named
from gateway.operator.api.encoded_paths import decode_segment

MAX_ID_LENGTH = SERVICE_MAX_ID_LENGTH  # the services' own rule, published in the OpenAPI document
MAX_EMAIL_LENGTH = 320
MAX_TEXT_LENGTH = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")

Choice = TypeVar("Choice")


class ParameterError(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def _text(name: str, value: str, maximum: int) -> str:
    if _CONTROL.search(value):
        raise ParameterError(name, "must not contain control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParameterError(name, "must be valid UTF-8") from exc
    if len(value) > maximum:
        raise ParameterError(name, f"must be at most {maximum} characters")
    return value


def identifier(name: str, value: str) -> str:
    """A campaign or list id, by the services' own id rules (emailtrack.common.request_fields)."""
    if not value.strip():
        raise ParameterError(name, "is required")
    try:
        return check_id(name, value)
    except InvalidRequest as exc:
        raise ParameterError(name, str(exc).removeprefix(f"{name} ")) from exc


def path_id(path_params: Mapping[str, str], name: str) -> str:
    """An id taken from a URL path segment (see gateway.operator.api.encoded_paths)."""
    return identifier(name, decode_segment(path_params[name]))


def email(name: str, value: str) -> str:
    """Shape only (local@domain); the recipient service validates the address itself."""
    value = _text(name, value.strip(), MAX_EMAIL_LENGTH)
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain or " " in value:
        raise ParameterError(name, "must be an e-mail address")
    return value


def text(name: str, value: str) -> str:
    return _text(name, value, MAX_TEXT_LENGTH)


def integer(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ParameterError(name, f"must be an integer, got {raw!r}") from exc
    if not low <= value <= high:
        raise ParameterError(name, f"must be between {low} and {high}")
    return value


def fraction(query: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    """A number in [``low``, ``high``) (a significance level), or ``default``."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ParameterError(name, f"must be a number, got {raw!r}") from exc
    if not (math.isfinite(value) and low <= value < high):
        raise ParameterError(name, f"must be at least {low} and less than {high}")
    return value


def period(query: Mapping[str, str], name: str) -> str:
    """A billing period ``YYYY-MM`` (1970..9998), or "" for the current one."""
    raw = query.get(name) or ""
    if not raw:
        return ""
    found = _PERIOD.fullmatch(raw)
    if found is None or not 1970 <= int(found.group(1)) <= 9998:
        raise ParameterError(name, f"must be YYYY-MM (1970-01 to 9998-12), got {raw!r}")
    return raw


def choice(
    query: Mapping[str, str], name: str, options: Mapping[str, Choice], default: str
) -> Choice:
    raw = query.get(name) or default
    if raw not in options:
        raise ParameterError(name, f"must be one of {', '.join(options)}")
    return options[raw]


def moment(query: Mapping[str, str], name: str) -> datetime | None:
    """An ISO 8601 time (UTC when it has no offset), or None when absent."""
    raw = query.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ParameterError(name, f"must be an ISO 8601 time, got {raw!r}") from exc
    if not 1970 <= value.year <= 9998:
        raise ParameterError(name, "must be between 1970 and 9998")
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def token(query: Mapping[str, str], name: str) -> str:
    return _text(name, query.get(name, ""), 1000)


def only(query: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    """Rejects unknown query parameters (a typo must not be silently ignored)."""
    for name in query:
        if name not in allowed:
            raise ParameterError(
                name, f"unknown parameter (allowed: {', '.join(allowed) or 'none'})"
            )


def time_zone(query: Mapping[str, str], name: str) -> zoneinfo.ZoneInfo:
    """An IANA zone name (``Europe/Paris``); UTC when absent."""
    raw = query.get(name) or "UTC"
    zone = zone_named(raw)
    if zone is None:
        raise ParameterError(name, f"unknown IANA time zone {raw!r}")
    return zone
