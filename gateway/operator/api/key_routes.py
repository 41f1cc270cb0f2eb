"""JSON API for API keys under ``/api/v1/keys``: list, create (the whole key is in that reply
only), revoke and rotate — for the caller's tenant, with the caller's key (which needs the
``admin`` scope; the key store decides)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emailtrack.presentation.api_keys import KEY_SCOPES, key_view
from emailtrack.v1 import api_keys_pb2
from gateway.operator.api import params
from gateway.operator.api.backend import Backend
from gateway.operator.api.json_body import json_object

TenantHandler = Callable[[Request, str], Awaitable[Response]]
Guard = Callable[[TenantHandler], Callable[[Request], Awaitable[Response]]]
MAX_BODY_BYTES = 4096
MAX_GRACE_S = 30 * 24 * 3600


async def _body(request: Request) -> dict[str, Any]:
    """The JSON object body, read at most MAX_BODY_BYTES."""
    body = await json_object(request, MAX_BODY_BYTES)
    unknown = set(body) - {"name", "scopes"}
    if unknown:
        raise params.ParameterError(sorted(unknown)[0], "unknown field (allowed: name, scopes)")
    return body


def _scopes(value: object) -> list[api_keys_pb2.ApiKeyScope]:
    if not isinstance(value, list) or not value:
        raise params.ParameterError("scopes", "must be a non-empty list of send, read, admin")
    if any(not isinstance(v, str) or v not in KEY_SCOPES for v in value):
        raise params.ParameterError("scopes", "each must be one of send, read, admin")
    return [KEY_SCOPES[v] for v in value]


class KeyApi:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def keys(self, request: Request, tenant_id: str) -> Response:
        """GET lists the tenant's keys; POST creates one."""
        if request.method == "POST":
            return await self.create(request, tenant_id)
        params.only(request.query_params, ("include_revoked",))
        include = params.integer(request.query_params, "include_revoked", 0, 0, 1)
        reply = await self.backend.call(
            self.backend.api_keys.ListApiKeys,
            api_keys_pb2.ListApiKeysRequest(tenant_id=tenant_id, include_revoked=bool(include)),
        )
        return JSONResponse({"keys": [key_view(k) for k in reply.keys]})

    async def create(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ())
        body = await _body(request)
        name = body.get("name", "")
        if not isinstance(name, str):
            raise params.ParameterError("name", "must be a string")
        reply = await self.backend.call(
            self.backend.api_keys.CreateApiKey,
            api_keys_pb2.CreateApiKeyRequest(
                tenant_id=tenant_id,
                scopes=_scopes(body.get("scopes")),
                name=params.text("name", name),
            ),
        )
        return JSONResponse({"key": key_view(reply.key), "secret": reply.secret}, status_code=201)

    def _target(self, request: Request) -> tuple[str, int]:
        params.only(request.query_params, ("grace_seconds",))
        prefix = params.identifier("prefix", request.path_params["prefix"])
        return prefix, params.integer(request.query_params, "grace_seconds", 0, 0, MAX_GRACE_S)

    async def revoke(self, request: Request, tenant_id: str) -> Response:
        prefix, grace = self._target(request)
        reply = await self.backend.call(
            self.backend.api_keys.RevokeApiKey,
            api_keys_pb2.RevokeApiKeyRequest(
                tenant_id=tenant_id, prefix=prefix, grace_seconds=grace
            ),
        )
        return JSONResponse({"key": key_view(reply.key)})

    async def rotate(self, request: Request, tenant_id: str) -> Response:
        prefix, grace = self._target(request)
        reply = await self.backend.call(
            self.backend.api_keys.RotateApiKey,
            api_keys_pb2.RotateApiKeyRequest(
                tenant_id=tenant_id, prefix=prefix, grace_seconds=grace
            ),
        )
        return JSONResponse(
            {"key": key_view(reply.key), "secret": reply.secret, "revoked": key_view(reply.revoked)}
        )


def key_routes(backend: Backend, guarded: Guard) -> list[Route]:
    api = KeyApi(backend)
    return [
        Route("/keys", guarded(api.keys), methods=["GET", "POST"]),
        Route("/keys/{prefix}/revoke", guarded(api.revoke), methods=["POST"]),
        Route("/keys/{prefix}/rotate", guarded(api.rotate), methods=["POST"]),
    ]
