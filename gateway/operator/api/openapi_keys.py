"""The OpenAPI schemas and paths of ``gateway.operator.api.key_routes`` (API keys: list, create,
revoke, rotate), merged into the API document by ``gateway.operator.api.openapi``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emailtrack.presentation.api_keys import KEY_SCOPES
from gateway.operator.api import params
from gateway.operator.api.key_routes import MAX_BODY_BYTES, MAX_GRACE_S

TIME = {"type": ["string", "null"], "format": "date-time"}
PRINTABLE = "^[^\\x00-\\x1f\\x7f]*$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def schemas() -> dict[str, Any]:
    key = {
        "prefix": {"type": "string"},
        "tenant_id": {"type": "string"},
        "scopes": {"type": "array", "items": {"enum": list(KEY_SCOPES)}},
        "name": {"type": "string"},
        "created_at": TIME,
        "revoked_at": TIME,
        "last_used_at": TIME,
    }
    created = {"key": _ref("ApiKey"), "secret": {"type": "string"}}
    return {
        "ApiKey": {"type": "object", "properties": key, "required": list(key)},
        "ApiKeys": {
            "type": "object",
            "properties": {"keys": {"type": "array", "items": _ref("ApiKey")}},
            "required": ["keys"],
        },
        "CreatedApiKey": {"type": "object", "properties": created, "required": list(created)},
        "RevokedApiKey": {
            "type": "object",
            "properties": {"key": _ref("ApiKey")},
            "required": ["key"],
        },
        "RotatedApiKey": {
            "type": "object",
            "properties": {**created, "revoked": _ref("ApiKey")},
            "required": [*created, "revoked"],
        },
    }


def paths(
    operation: Callable[..., Any],
    reply: Callable[..., dict[str, Any]],
    query: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    prefix = {
        "name": "prefix",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": params.MAX_ID_LENGTH},
    }
    grace = query(
        "grace_seconds",
        {"type": "integer", "minimum": 0, "maximum": MAX_GRACE_S},
        "Keep the old key working this long (default 0: revoked at once)",
    )
    body = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": params.MAX_TEXT_LENGTH, "pattern": PRINTABLE},
            "scopes": {"type": "array", "minItems": 1, "items": {"enum": list(KEY_SCOPES)}},
        },
        "required": ["scopes"],
        "additionalProperties": False,
        "description": f"At most {MAX_BODY_BYTES} bytes",
    }
    admin = "Needs an API key with the admin scope (or a bootstrap token)"
    return {
        "/keys": {
            "get": operation(
                "The tenant's API keys (prefixes only, never secrets)",
                reply("ApiKeys"),
                [query("include_revoked", {"enum": [0, 1]}, "Also list revoked keys")],
                description=admin,
            ),
            "post": operation(
                "Create an API key; the secret is in this reply only",
                reply("CreatedApiKey"),
                [],
                description=admin,
                requestBody={"required": True, "content": {"application/json": {"schema": body}}},
            ),
        },
        "/keys/{prefix}/revoke": {
            "post": operation(
                "Revoke a key (refused everywhere within seconds)",
                reply("RevokedApiKey"),
                [prefix, grace],
                description=admin,
            )
        },
        "/keys/{prefix}/rotate": {
            "post": operation(
                "A new key with the same tenant, scopes and name; the old one revoked",
                reply("RotatedApiKey"),
                [prefix, grace],
                description=admin,
            )
        },
    }
