"""The JSON API under ``/api/v1``: campaigns (list, stats, timeline, top links, breakdowns,
streamed CSV export) and recipients (engagement, status, unsubscribe, suppression), scoped to
the tenant of the bearer token, plus ``operator.api.campaign_routes`` (definitions, segments,
variants, mailboxes, usage), ``message_routes`` (the per-message list and its CSV),
``recipient_routes`` (recipient list and search), ``write_routes`` (campaign and message
lifecycle), ``key_routes``, ``domain_routes`` and ``webhook_routes`` (outbound webhooks);
health; and the OpenAPI document. An unknown campaign → 404, bad parameters → 422, a
service's refusal → 400/404/409, every error as ``{"error": {"code", "message"}}``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from emailtrack.presentation import export, views
from emailtrack.v1 import analytics_pb2, events_pb2, recipient_pb2
from gateway.config import OperatorSettings
from gateway.operator.api import campaign_fetch, params
from gateway.operator.api.backend import Backend, ServiceError
from gateway.operator.api.campaign_routes import campaign_routes
from gateway.operator.api.credentials import (
    ApiCredentials,
    Forbidden,
    KeyStoreUnavailable,
    Unauthorized,
    forwarding,
)
from gateway.operator.api.domain_routes import domain_routes
from gateway.operator.api.encoded_paths import KeepEncodedSeparators, decode_segment
from gateway.operator.api.json_body import json_object
from gateway.operator.api.key_routes import key_routes
from gateway.operator.api.message_routes import message_routes
from gateway.operator.api.openapi import openapi_document
from gateway.operator.api.recipient_routes import recipient_list_routes
from gateway.operator.api.webhook_routes import webhook_routes
from gateway.operator.api.write_routes import write_routes

Handler = Callable[[Request], Awaitable[Response]]
DIMENSIONS = {
    "client": analytics_pb2.BREAKDOWN_DIMENSION_EMAIL_CLIENT,
    "device": analytics_pb2.BREAKDOWN_DIMENSION_DEVICE,
    "os": analytics_pb2.BREAKDOWN_DIMENSION_OS,
    "country": analytics_pb2.BREAKDOWN_DIMENSION_COUNTRY,
}
EVENTS = {"open": events_pb2.EVENT_TYPE_EMAIL_OPEN, "click": events_pb2.EVENT_TYPE_EMAIL_CLICK}
MAX_BODY_BYTES = 16 * 1024
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def error(
    status: int, code: str, message: str, retry_after: str = "", **extra: str
) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if retry_after:
        headers["Retry-After"] = retry_after
    body = {"error": {"code": code, "message": message, **extra}}
    return JSONResponse(body, status_code=status, headers=headers)


class Api:
    """Handlers bound to the credentials (API keys, bootstrap tokens) and the service stubs."""

    def __init__(self, settings: OperatorSettings, backend: Backend) -> None:
        self.credentials = ApiCredentials(settings.api_tokens, lambda: backend.key_verifier)
        self.backend = backend

    def guarded(self, handler: Callable[[Request, str], Awaitable[Response]]) -> Handler:
        """Authenticates (the request's gRPC calls then carry its API key), then maps
        parameter and service errors to JSON error replies."""

        async def endpoint(request: Request) -> Response:
            try:
                caller = await self.credentials.authenticate(request)
                with forwarding(caller):
                    return await handler(request, caller.tenant_id)
            except Unauthorized:
                return error(401, "unauthorized", "a valid API key or bearer token is required")
            except Forbidden:
                return error(403, "forbidden", "an operator key has no tenant: use a tenant key")
            except KeyStoreUnavailable:
                return error(503, "unavailable", "cannot verify the key now; retry")
            except params.ParameterError as exc:
                return error(422, "invalid_parameter", exc.message, parameter=exc.name)
            except ServiceError as exc:
                return error(exc.status, exc.code, exc.message, exc.retry_after)

        return endpoint

    async def health(self, request: Request) -> Response:
        services = await self.backend.health()
        ok = all(state == "serving" for state in services.values())
        return JSONResponse({"status": "ok" if ok else "degraded", "services": services})

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(openapi_document())

    async def campaigns(self, request: Request, tenant_id: str) -> Response:
        query = request.query_params
        params.only(query, ("page_size", "page_token"))
        reply = await self.backend.call(
            self.backend.analytics.ListCampaigns,
            analytics_pb2.ListCampaignsRequest(
                tenant_id=tenant_id,
                page_size=params.integer(query, "page_size", 50, 1, 500),
                page_token=params.token(query, "page_token"),
            ),
        )
        return JSONResponse(
            {
                "campaigns": [views.campaign_stats(c) for c in reply.campaigns],
                "next_page_token": reply.next_page_token or None,
            }
        )

    def _campaign(self, request: Request, allowed: tuple[str, ...] = ()) -> str:
        params.only(request.query_params, allowed)
        return params.path_id(request.path_params, "campaign_id")

    async def _existing(
        self, request: Request, tenant_id: str, allowed: tuple[str, ...] = ()
    ) -> tuple[str, analytics_pb2.CampaignStats]:
        """The campaign id of the path and its statistics; 404 for an unknown campaign."""
        campaign_id = self._campaign(request, allowed)
        return campaign_id, await campaign_fetch.existing_stats(
            self.backend, tenant_id, campaign_id
        )

    async def campaign(self, request: Request, tenant_id: str) -> Response:
        _, stats = await self._existing(request, tenant_id)
        return JSONResponse(views.campaign_stats(stats))

    async def timeline(self, request: Request, tenant_id: str) -> Response:
        allowed = ("bucket", "time_zone", "start", "end")
        campaign_id, _ = await self._existing(request, tenant_id, allowed)
        query = request.query_params
        call = analytics_pb2.GetTimelineRequest(
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            bucket=params.choice(query, "bucket", export.BUCKETS, "hour"),
            time_zone=params.time_zone(query, "time_zone").key,
        )
        for name in ("start", "end"):
            moment = params.moment(query, name)
            if moment is not None:
                getattr(call, name).FromDatetime(moment)
        reply = await self.backend.call(self.backend.analytics.GetTimeline, call)
        return JSONResponse({"points": [views.timeline_point(p) for p in reply.points]})

    async def links(self, request: Request, tenant_id: str) -> Response:
        campaign_id, _ = await self._existing(request, tenant_id, ("limit",))
        reply = await self.backend.call(
            self.backend.analytics.GetTopLinks,
            analytics_pb2.GetTopLinksRequest(
                tenant_id=tenant_id,
                campaign_id=campaign_id,
                limit=params.integer(request.query_params, "limit", 10, 1, 1000),
            ),
        )
        return JSONResponse({"links": [views.link(link) for link in reply.links]})

    async def breakdown(self, request: Request, tenant_id: str) -> Response:
        dimension = request.path_params["dimension"]
        if dimension not in DIMENSIONS:
            raise params.ParameterError("dimension", f"must be one of {', '.join(DIMENSIONS)}")
        campaign_id, _ = await self._existing(request, tenant_id, ("event",))
        reply = await self.backend.call(
            self.backend.analytics.GetBreakdown,
            analytics_pb2.GetBreakdownRequest(
                tenant_id=tenant_id,
                campaign_id=campaign_id,
                dimension=DIMENSIONS[dimension],
                event_type=params.choice(request.query_params, "event", EVENTS, "open"),
            ),
        )
        return JSONResponse({"rows": [views.breakdown_row(row) for row in reply.rows]})

    async def export_csv(self, request: Request, tenant_id: str) -> Response:
        campaign_id = self._campaign(request, ("bucket", "time_zone"))
        query = request.query_params
        bucket = query.get("bucket") or "hour"
        params.choice(query, "bucket", export.BUCKETS, "hour")
        zone = params.time_zone(query, "time_zone")
        stats = await campaign_fetch.existing_stats(self.backend, tenant_id, campaign_id)
        windows = []
        if stats.HasField("first_event_at"):
            first = stats.first_event_at.ToDatetime(tzinfo=UTC)
            last = stats.last_event_at.ToDatetime(tzinfo=UTC)
            windows = export.export_windows(first, last, bucket, zone)

        async def window_points(window: tuple[datetime, datetime]) -> str:
            call = export.timeline_request(tenant_id, campaign_id, bucket, zone, window)
            reply = await self.backend.call(self.backend.analytics.GetTimeline, call)
            return export.csv_points(reply.points)

        # the first window is read before the response starts, so a refused request is a
        # 4xx with a message rather than a download cut short
        first_points = await window_points(windows[0]) if windows else ""

        async def rows() -> AsyncIterator[str]:
            yield export.csv_header() + first_points
            for window in windows[1:]:
                yield await window_points(window)

        name = _FILENAME_UNSAFE.sub("_", campaign_id)[:80] or "campaign"
        disposition = f'attachment; filename="{name}-{bucket}.csv"'
        return StreamingResponse(
            rows(), media_type="text/csv", headers={"Content-Disposition": disposition}
        )

    def _email(self, request: Request) -> str:
        return params.email("email", decode_segment(request.path_params["email"]))

    async def _body(self, request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
        body = await json_object(request, MAX_BODY_BYTES)
        for key, value in body.items():
            if key not in allowed:
                raise params.ParameterError(key, f"unknown field (allowed: {', '.join(allowed)})")
            if not isinstance(value, str):
                raise params.ParameterError(key, "must be a string")
            params.text(key, value)
        return body

    async def _recipient_view(self, tenant_id: str, email: str) -> dict[str, Any]:
        found = await self.backend.call(
            self.backend.recipient.GetRecipient,
            recipient_pb2.GetRecipientRequest(tenant_id=tenant_id, email=email),
        )
        summary = await self.backend.call(
            self.backend.recipient.GetEngagementSummary,
            recipient_pb2.GetEngagementSummaryRequest(tenant_id=tenant_id, email=email),
        )
        return {**views.recipient(found.recipient), "engagement": views.engagement(summary)}

    async def recipient(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ())
        return JSONResponse(await self._recipient_view(tenant_id, self._email(request)))

    async def unsubscribe(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ())
        email = self._email(request)
        body = await self._body(request, ("list_id",))
        reply = await self.backend.call(
            self.backend.recipient.Unsubscribe,
            recipient_pb2.UnsubscribeRequest(
                tenant_id=tenant_id, email=email, list_id=body.get("list_id", "")
            ),
        )
        return JSONResponse(views.recipient(reply.recipient))

    async def suppress(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ())
        email = self._email(request)
        body = await self._body(request, ("reason",))
        reply = await self.backend.call(
            self.backend.recipient.Suppress,
            recipient_pb2.SuppressRequest(
                tenant_id=tenant_id,
                email=email,
                reason=body.get("reason") or "manual (API)",
                actor="api",
            ),
        )
        return JSONResponse(views.recipient(reply.recipient))

    async def suppression(self, request: Request, tenant_id: str) -> Response:
        """PUT suppresses, DELETE lifts the suppression."""
        if request.method == "PUT":
            return await self.suppress(request, tenant_id)
        return await self.unsuppress(request, tenant_id)

    async def unsuppress(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ("reason",))
        email = self._email(request)
        reason = params.text("reason", request.query_params.get("reason", ""))
        reply = await self.backend.call(
            self.backend.recipient.Unsuppress,
            recipient_pb2.UnsuppressRequest(
                tenant_id=tenant_id, email=email, reason=reason or "manual (API)", actor="api"
            ),
        )
        return JSONResponse(views.recipient(reply.recipient))


async def _not_found(request: Request, exc: Exception) -> Response:
    return error(404, "not_found", "no such API path")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    reply = error(405, "method_not_allowed", f"{request.method} is not allowed here")
    if isinstance(exc, HTTPException) and exc.headers:
        reply.headers.update(exc.headers)
    return reply


def api_app(settings: OperatorSettings, backend: Backend) -> Starlette:
    """The ``/api/v1`` application (mounted by the gateway)."""
    api = Api(settings, backend)
    campaign = "/campaigns/{campaign_id}"
    recipient = "/recipients/{email}"
    routes = [
        Route("/health", api.health),
        Route("/openapi.json", api.openapi),
        Route("/campaigns", api.guarded(api.campaigns)),
        Route(campaign, api.guarded(api.campaign)),
        Route(campaign + "/timeline", api.guarded(api.timeline)),
        Route(campaign + "/links", api.guarded(api.links)),
        Route(campaign + "/breakdowns/{dimension}", api.guarded(api.breakdown)),
        Route(campaign + "/export.csv", api.guarded(api.export_csv)),
        *campaign_routes(backend, api.guarded),
        *message_routes(backend, api.guarded),
        *key_routes(backend, api.guarded),
        *domain_routes(backend, api.guarded),
        *webhook_routes(backend, api.guarded),
        *recipient_list_routes(backend, api.guarded),
        *write_routes(backend, api.guarded),
        Route(recipient, api.guarded(api.recipient)),
        Route(recipient + "/unsubscribe", api.guarded(api.unsubscribe), methods=["POST"]),
        Route(recipient + "/suppression", api.guarded(api.suppression), methods=["PUT", "DELETE"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(KeepEncodedSeparators)],
        exception_handlers={404: _not_found, 405: _not_allowed},
    )
