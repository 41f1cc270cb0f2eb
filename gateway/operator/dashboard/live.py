"""The dashboard's live feeds: Server-Sent Events pushed from the analytics service's
streams, never polled by the browser. The campaign page's feed (WatchCampaign) carries the
refreshed stats and new events with addresses masked, the first update with the latest stored
events; the campaign list's (WatchCampaignList) carries its table's rows and the tenant's
summary cards (GetTenantSummary, re-read on each update), rendered by the page's templates.
A comment line every ``heartbeat_s`` keeps idle connections open."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from emailtrack.presentation import views
from emailtrack.v1 import analytics_pb2
from gateway.config import DashboardUser
from gateway.operator.api import params
from gateway.operator.api.backend import Backend, ServiceError
from gateway.operator.dashboard.pages import TEMPLATES, tenant_summary

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
RETRY_MS = 3000
RECENT_EVENTS = 50  # the activity feed's length (app.js FEED_MAX)


def sse_event(name: str, payload: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n"


def sse_message(update: analytics_pb2.WatchCampaignResponse) -> str:
    payload = {
        "stats": views.campaign_stats(update.stats),
        "events": [views.event_summary(event) for event in update.new_events],
    }
    return sse_event("update", payload)


class LiveFeed:
    def __init__(self, backend: Backend, heartbeat_s: float = 15.0) -> None:
        self.backend = backend
        self.heartbeat_s = heartbeat_s

    async def stream(self, request: Request, user: DashboardUser) -> Response:
        """The campaign page's feed."""
        try:
            campaign_id = params.path_id(request.path_params, "campaign_id")
        except params.ParameterError as exc:
            return Response(exc.message, status_code=422)
        updates = self.backend.watch(user.tenant_id, campaign_id, self.heartbeat_s, RECENT_EVENTS)
        return self._respond((sse_message(u) if u else None) async for u in updates)

    async def campaign_list(self, request: Request, user: DashboardUser) -> Response:
        """The campaign list's feed: the rows of the page named by ``?page=``."""
        try:
            page_token = params.token(request.query_params, "page")
        except params.ParameterError as exc:
            return Response(exc.message, status_code=422)
        row_template = TEMPLATES.get_template("campaign_rows.html")
        summary_template = TEMPLATES.get_template("summary_cards.html")

        async def rows(update: analytics_pb2.WatchCampaignListResponse) -> str:
            campaigns = [views.campaign_stats(c) for c in update.campaigns]
            summary = await tenant_summary(self.backend, user.tenant_id)
            payload = {
                "rows": row_template.render(campaigns=campaigns, request=request),
                "count": len(campaigns),
                "summary": summary_template.render(summary=summary, request=request),
            }
            return sse_event("campaigns", payload)

        updates = self.backend.watch_list(user.tenant_id, page_token, self.heartbeat_s)
        return self._respond((await rows(u) if u else None) async for u in updates)

    def _respond(self, messages: AsyncGenerator[str | None, None]) -> Response:
        async def body() -> AsyncIterator[str]:
            yield f"retry: {RETRY_MS}\n\n"
            try:
                async with contextlib.aclosing(messages):
                    async for message in messages:
                        yield ": keep-alive\n\n" if message is None else message
            except ServiceError as exc:
                # the browser reconnects after RETRY_MS; tell the page why the feed paused
                yield sse_event("failure", exc.message)

        return StreamingResponse(body(), media_type="text/event-stream", headers=SSE_HEADERS)
