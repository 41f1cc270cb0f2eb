"""JSON API operations for a tenant's tracking domains (TrackingEdgeService): list, register
(the reply holds the DNS TXT record to publish), verify, remove; with their OpenAPI paths and
schemas. Mounted by ``gateway.operator.api.routes`` under ``/api/v1``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emailtrack.v1 import tracking_edge_pb2
from gateway.operator.api import params
from gateway.operator.api.backend import Backend
from gateway.operator.api.json_body import json_object

TenantHandler = Callable[[Request, str], Awaitable[Response]]
Guard = Callable[[TenantHandler], Callable[[Request], Awaitable[Response]]]
MAX_DOMAIN_LENGTH = 253
MAX_BODY_BYTES = 4096
DOMAIN = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_DOMAIN_LENGTH,
    "pattern": "^[^\\x00-\\x1f\\x7f]*$",
}


def domain_view(domain: tracking_edge_pb2.TrackingDomain) -> dict[str, Any]:
    return {
        "domain": domain.domain,
        "verified": domain.verified,
        "verified_at": (
            domain.verified_at.ToDatetime().isoformat() + "Z" if domain.verified else None
        ),
        "check_failing_since": (
            domain.check_failing_since.ToDatetime().isoformat() + "Z"
            if domain.HasField("check_failing_since")
            else None
        ),
        "txt_record": {"name": domain.txt_record_name, "value": domain.txt_record_value},
    }


def _domain(name: str, value: str) -> str:
    if not value or len(value) > MAX_DOMAIN_LENGTH:
        raise params.ParameterError(name, f"must be 1 to {MAX_DOMAIN_LENGTH} characters")
    return params.text(name, value)


class DomainApi:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def collection(self, request: Request, tenant_id: str) -> Response:
        """GET lists the domains, POST registers one (``{"domain": "links.example.com"}``)."""
        params.only(request.query_params, ())
        if request.method == "GET":
            reply = await self.backend.call(
                self.backend.tracking_edge.ListTrackingDomains,
                tracking_edge_pb2.ListTrackingDomainsRequest(tenant_id=tenant_id),
            )
            return JSONResponse({"domains": [domain_view(d) for d in reply.domains]})
        body = await json_object(request, MAX_BODY_BYTES)
        if set(body) != {"domain"} or not isinstance(body["domain"], str):
            raise params.ParameterError("body", 'must be {"domain": "<hostname>"}')
        registered = await self.backend.call(
            self.backend.tracking_edge.RegisterTrackingDomain,
            tracking_edge_pb2.RegisterTrackingDomainRequest(
                tenant_id=tenant_id, domain=_domain("domain", body["domain"])
            ),
        )
        return JSONResponse(domain_view(registered.domain))

    async def verify(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ())
        reply = await self.backend.call(
            self.backend.tracking_edge.VerifyTrackingDomain,
            tracking_edge_pb2.VerifyTrackingDomainRequest(
                tenant_id=tenant_id, domain=_domain("domain", request.path_params["domain"])
            ),
        )
        return JSONResponse(domain_view(reply.domain))

    async def remove(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ())
        reply = await self.backend.call(
            self.backend.tracking_edge.RemoveTrackingDomain,
            tracking_edge_pb2.RemoveTrackingDomainRequest(
                tenant_id=tenant_id, domain=_domain("domain", request.path_params["domain"])
            ),
        )
        return JSONResponse({"removed": reply.removed})


def domain_routes(backend: Backend, guarded: Guard) -> list[Route]:
    api = DomainApi(backend)
    return [
        Route("/tracking-domains", guarded(api.collection), methods=["GET", "POST"]),
        Route("/tracking-domains/{domain}/verify", guarded(api.verify), methods=["POST"]),
        Route("/tracking-domains/{domain}", guarded(api.remove), methods=["DELETE"]),
    ]


def schemas() -> dict[str, Any]:
    text = {"type": "string"}
    domain = {
        "type": "object",
        "properties": {
            "domain": text,
            "verified": {"type": "boolean"},
            "verified_at": {"type": ["string", "null"], "format": "date-time"},
            # set while the periodic re-check finds the TXT record missing
            "check_failing_since": {"type": ["string", "null"], "format": "date-time"},
            "txt_record": {
                "type": "object",
                "properties": {"name": text, "value": text},
                "required": ["name", "value"],
            },
        },
        "required": ["domain", "verified", "verified_at", "check_failing_since", "txt_record"],
    }
    return {
        "TrackingDomain": domain,
        "TrackingDomains": {
            "type": "object",
            "properties": {
                "domains": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/TrackingDomain"},
                }
            },
            "required": ["domains"],
        },
        "Removed": {
            "type": "object",
            "properties": {"removed": {"type": "boolean"}},
            "required": ["removed"],
        },
    }


def paths(operation: Any, reply: Any) -> dict[str, Any]:
    """The paths, built with ``gateway.api.openapi``'s operation and reply helpers."""
    domain = [{"name": "domain", "in": "path", "required": True, "schema": DOMAIN}]
    body = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"domain": DOMAIN},
                    "required": ["domain"],
                    "additionalProperties": False,
                }
            }
        },
    }
    return {
        "/tracking-domains": {
            "get": operation("The tenant's tracking domains", reply("TrackingDomains"), []),
            "post": operation(
                "Register a tracking domain (publish the returned TXT record, then verify)",
                reply("TrackingDomain"),
                [],
                requestBody=body,
            ),
        },
        "/tracking-domains/{domain}/verify": {
            "post": operation(
                "Verify ownership through the DNS TXT record; the tenant's links then use it",
                reply("TrackingDomain"),
                domain,
            )
        },
        "/tracking-domains/{domain}": {
            "delete": operation("Stop using a tracking domain", reply("Removed"), domain)
        },
    }
