"""JSON API for outbound webhooks under ``/api/v1/webhooks`` (WebhookService): list, create
(the signing secret is in that reply only), show, update (filter, batch mode, enable /
disable), delete, rotate the secret (shown once), the delivery log (paged, newest first) and
replays (failed deliveries, or every delivery of a time range) — for the caller's tenant,
with the caller's key (the service checks its scope: read to look, admin to change)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emailtrack.presentation.webhooks import DELIVERY_STATUSES, delivery_view, endpoint_view
from emailtrack.v1 import webhooks_pb2
from gateway.operator.api import params
from gateway.operator.api.backend import Backend, ServiceError
from gateway.operator.api.json_body import json_object

TenantHandler = Callable[[Request, str], Awaitable[Response]]
Guard = Callable[[TenantHandler], Callable[[Request], Awaitable[Response]]]
MAX_BODY_BYTES = 8192
MAX_URL_LENGTH = 2048
MAX_DESCRIPTION = params.MAX_TEXT_LENGTH
MAX_EVENTS = 32
MAX_EVENT_LENGTH = 64
MAX_GRACE_S = 7 * 24 * 3600
MAX_PAGE_SIZE = 500
CREATE_FIELDS = ("url", "events", "batch", "description")
UPDATE_FIELDS = ("events", "batch", "enabled")
REPLAY_FIELDS = ("failed_only", "since", "until")


def _fields(body: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    for key in body:
        if key not in allowed:
            raise params.ParameterError(key, f"unknown field (allowed: {', '.join(allowed)})")
    return body


def _string(body: dict[str, Any], name: str, maximum: int) -> str:
    """A string field (empty when absent) of at most ``maximum`` characters."""
    value = body.get(name, "")
    if not isinstance(value, str):
        raise params.ParameterError(name, "must be a string")
    if len(value) > maximum:
        raise params.ParameterError(name, f"must be at most {maximum} characters")
    return value


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise params.ParameterError(name, "must be true or false")
    return value


def _events(body: dict[str, Any]) -> list[str]:
    """The filter entries (the service checks the names); an empty list means every event."""
    value = body.get("events", [])
    if not isinstance(value, list) or len(value) > MAX_EVENTS:
        raise params.ParameterError("events", f"must be a list of at most {MAX_EVENTS} names")
    for entry in value:
        if not isinstance(entry, str) or not 0 < len(entry) <= MAX_EVENT_LENGTH:
            message = f"each must be 1 to {MAX_EVENT_LENGTH} characters"
            raise params.ParameterError("events", message)
    return [params.text("events", entry) for entry in value]


def _url(body: dict[str, Any]) -> str:
    url = _string(body, "url", MAX_URL_LENGTH)
    if not url.strip():
        raise params.ParameterError("url", "is required")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url.strip()):
        raise params.ParameterError("url", "must not contain spaces or control characters")
    return url


def _description(body: dict[str, Any]) -> str:
    return params.text("description", _string(body, "description", MAX_DESCRIPTION))


def _moment(body: dict[str, Any], name: str) -> datetime | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise params.ParameterError(name, "must be an ISO 8601 time")
    return params.moment({name: value}, name)


class WebhookApi:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def _endpoint_id(self, request: Request, allowed: tuple[str, ...] = ()) -> str:
        params.only(request.query_params, allowed)
        return params.path_id(request.path_params, "endpoint_id")

    async def collection(self, request: Request, tenant_id: str) -> Response:
        """GET lists the tenant's endpoints; POST registers one."""
        params.only(request.query_params, ())
        if request.method == "POST":
            return await self.create(request, tenant_id)
        reply = await self.backend.call(
            self.backend.webhooks.ListEndpoints,
            webhooks_pb2.ListEndpointsRequest(tenant_id=tenant_id),
        )
        return JSONResponse({"endpoints": [endpoint_view(e) for e in reply.endpoints]})

    async def create(self, request: Request, tenant_id: str) -> Response:
        body = _fields(await json_object(request, MAX_BODY_BYTES), CREATE_FIELDS)
        reply = await self.backend.call(
            self.backend.webhooks.CreateEndpoint,
            webhooks_pb2.CreateEndpointRequest(
                tenant_id=tenant_id,
                url=_url(body),
                events=_events(body),
                batch=_flag(body, "batch"),
                description=_description(body),
            ),
        )
        created = {"endpoint": endpoint_view(reply.endpoint), "secret": reply.secret}
        return JSONResponse(created, status_code=201)

    async def one(self, request: Request, tenant_id: str) -> Response:
        """GET shows one endpoint, PATCH changes it, DELETE removes it (and its log)."""
        endpoint_id = self._endpoint_id(request)
        if request.method == "PATCH":
            return await self.update(request, tenant_id, endpoint_id)
        if request.method == "DELETE":
            await self.backend.call(
                self.backend.webhooks.DeleteEndpoint,
                webhooks_pb2.DeleteEndpointRequest(tenant_id=tenant_id, endpoint_id=endpoint_id),
            )
            return JSONResponse({"deleted": True})
        reply = await self.backend.call(
            self.backend.webhooks.ListEndpoints,
            webhooks_pb2.ListEndpointsRequest(tenant_id=tenant_id),
        )
        for endpoint in reply.endpoints:
            if endpoint.endpoint_id == endpoint_id:
                return JSONResponse(endpoint_view(endpoint))
        raise ServiceError(404, "not_found", f"no endpoint {endpoint_id!r} for this tenant")

    async def update(self, request: Request, tenant_id: str, endpoint_id: str) -> Response:
        body = _fields(await json_object(request, MAX_BODY_BYTES), UPDATE_FIELDS)
        if not body:
            raise params.ParameterError("body", "give events, batch or enabled")
        enabled = body.get("enabled")
        if enabled is not None and not isinstance(enabled, bool):
            raise params.ParameterError("enabled", "must be true or false")
        call = webhooks_pb2.UpdateEndpointRequest(
            tenant_id=tenant_id,
            endpoint_id=endpoint_id,
            update_events="events" in body,
            events=_events(body),
            update_batch="batch" in body,
            batch=_flag(body, "batch"),
            enable=enabled is True,
            disable=enabled is False,
        )
        reply = await self.backend.call(self.backend.webhooks.UpdateEndpoint, call)
        return JSONResponse(endpoint_view(reply.endpoint))

    async def rotate(self, request: Request, tenant_id: str) -> Response:
        endpoint_id = self._endpoint_id(request, ("grace_seconds",))
        grace = params.integer(request.query_params, "grace_seconds", 0, 0, MAX_GRACE_S)
        reply = await self.backend.call(
            self.backend.webhooks.RotateEndpointSecret,
            webhooks_pb2.RotateEndpointSecretRequest(
                tenant_id=tenant_id, endpoint_id=endpoint_id, grace_seconds=grace
            ),
        )
        return JSONResponse({"secret": reply.secret})

    async def deliveries(self, request: Request, tenant_id: str) -> Response:
        endpoint_id = self._endpoint_id(request, ("status", "page_size", "page_token"))
        query = request.query_params
        statuses = {"": webhooks_pb2.WEBHOOK_DELIVERY_STATUS_UNSPECIFIED, **DELIVERY_STATUSES}
        reply = await self.backend.call(
            self.backend.webhooks.ListDeliveries,
            webhooks_pb2.ListDeliveriesRequest(
                tenant_id=tenant_id,
                endpoint_id=endpoint_id,
                status=params.choice(query, "status", statuses, ""),
                limit=params.integer(query, "page_size", 50, 1, MAX_PAGE_SIZE),
                page_token=params.token(query, "page_token"),
            ),
        )
        return JSONResponse(
            {
                "deliveries": [delivery_view(d) for d in reply.deliveries],
                "next_page_token": reply.next_page_token or None,
            }
        )

    async def replay(self, request: Request, tenant_id: str) -> Response:
        endpoint_id = self._endpoint_id(request)
        body = _fields(await json_object(request, MAX_BODY_BYTES), REPLAY_FIELDS)
        call = webhooks_pb2.ReplayDeliveriesRequest(
            tenant_id=tenant_id, endpoint_id=endpoint_id, failed_only=_flag(body, "failed_only")
        )
        for name in ("since", "until"):
            moment = _moment(body, name)
            if moment is not None:
                getattr(call, name).FromDatetime(moment)
        reply = await self.backend.call(self.backend.webhooks.ReplayDeliveries, call)
        return JSONResponse({"scheduled": reply.scheduled})


def webhook_routes(backend: Backend, guarded: Guard) -> list[Route]:
    api = WebhookApi(backend)
    one = "/webhooks/{endpoint_id}"
    return [
        Route("/webhooks", guarded(api.collection), methods=["GET", "POST"]),
        Route(one, guarded(api.one), methods=["GET", "PATCH", "DELETE"]),
        Route(one + "/rotate-secret", guarded(api.rotate), methods=["POST"]),
        Route(one + "/deliveries", guarded(api.deliveries), methods=["GET"]),
        Route(one + "/replay", guarded(api.replay), methods=["POST"]),
    ]
