"""JSON API operations for campaign definitions, segments (sequence step / variant), the
variant comparison with its significance verdicts, sending mailboxes (figures, health,
warmup), usage metering and the summary over every campaign; mounted by
``gateway.operator.api.routes`` under ``/api/v1``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emailtrack.presentation import campaign_views, views
from emailtrack.v1 import analytics_pb2, campaign_pb2
from gateway.operator.api import campaign_fetch, params
from gateway.operator.api.backend import Backend
from gateway.operator.api.encoded_paths import decode_segment

TenantHandler = Callable[[Request, str], Awaitable[Response]]
Guard = Callable[[TenantHandler], Callable[[Request], Awaitable[Response]]]
# analytics cannot size a test below MIN_ALPHA (the normal quantile overflows)
MIN_ALPHA = 0.0001
MAX_ALPHA = 0.5
MAX_WARMUP_DAYS = 366


class CampaignApi:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @staticmethod
    def _campaign(request: Request, allowed: tuple[str, ...] = ()) -> str:
        params.only(request.query_params, allowed)
        return params.path_id(request.path_params, "campaign_id")

    async def definition(self, request: Request, tenant_id: str) -> Response:
        campaign_id = self._campaign(request)
        reply = await self.backend.call(
            self.backend.campaigns.GetCampaign,
            campaign_pb2.GetCampaignRequest(tenant_id=tenant_id, campaign_id=campaign_id),
        )
        return JSONResponse(campaign_views.campaign(reply.campaign))

    async def segments(self, request: Request, tenant_id: str) -> Response:
        campaign_id = self._campaign(request, ("dimension",))
        dimension = params.choice(
            request.query_params, "dimension", campaign_views.SEGMENT_DIMENSIONS, "step_variant"
        )
        await campaign_fetch.existing_stats(self.backend, tenant_id, campaign_id)
        found = await campaign_fetch.segments(self.backend, tenant_id, campaign_id, dimension)
        return JSONResponse({"segments": found})

    async def variants(self, request: Request, tenant_id: str) -> Response:
        campaign_id = self._campaign(request, ("sequence_step", "baseline", "alpha"))
        query = request.query_params
        step = query.get("sequence_step", "")
        baseline = query.get("baseline", "")
        await campaign_fetch.existing_stats(self.backend, tenant_id, campaign_id)
        comparison = await campaign_fetch.variants(
            self.backend,
            tenant_id,
            campaign_id,
            params.identifier("sequence_step", step) if step else "",
            params.identifier("baseline", baseline) if baseline else "",
            params.fraction(query, "alpha", 0.05, MIN_ALPHA, MAX_ALPHA),
        )
        return JSONResponse(comparison)

    async def mailboxes(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ("domain",))
        domain = params.text("domain", request.query_params.get("domain", "").strip().lower())
        found = await campaign_fetch.mailboxes(self.backend, tenant_id, domain)
        return JSONResponse({"mailboxes": found})

    async def warmup(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ("days",))
        address = params.email("address", decode_segment(request.path_params["address"])).lower()
        days = params.integer(request.query_params, "days", 30, 1, MAX_WARMUP_DAYS)
        found = await campaign_fetch.warmup(self.backend, tenant_id, address, days)
        return JSONResponse({"mailbox": address, **found})

    async def usage(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ("period",))
        period = params.period(request.query_params, "period")
        reply = await self.backend.call(
            self.backend.campaigns.GetUsage,
            campaign_pb2.GetUsageRequest(tenant_id=tenant_id, period=period),
        )
        return JSONResponse(campaign_views.usage(reply.usage))

    async def summary(self, request: Request, tenant_id: str) -> Response:
        """Every campaign added up, or those active in [start, end)."""
        query = request.query_params
        params.only(query, ("start", "end"))
        start, end = params.moment(query, "start"), params.moment(query, "end")
        if start is not None and end is not None and end <= start:
            raise params.ParameterError("end", "must be after start")
        call = analytics_pb2.GetTenantSummaryRequest(tenant_id=tenant_id)
        if start is not None:
            call.start.FromDatetime(start)
        if end is not None:
            call.end.FromDatetime(end)
        reply = await self.backend.call(self.backend.analytics.GetTenantSummary, call)
        return JSONResponse(views.tenant_summary(reply, call))


def campaign_routes(backend: Backend, guarded: Guard) -> list[Route]:
    api = CampaignApi(backend)
    campaign = "/campaigns/{campaign_id}"
    return [
        Route(campaign + "/definition", guarded(api.definition)),
        Route(campaign + "/segments", guarded(api.segments)),
        Route(campaign + "/variants", guarded(api.variants)),
        Route("/mailboxes", guarded(api.mailboxes)),
        Route("/mailboxes/{address}/warmup", guarded(api.warmup)),
        Route("/usage", guarded(api.usage)),
        Route("/summary", guarded(api.summary)),
    ]
