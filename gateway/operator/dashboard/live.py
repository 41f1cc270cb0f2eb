"""The campaign page's live feed: Server-Sent Events fed from AnalyticsService.WatchCampaign
(pushed, never polled). Each update carries the refreshed stats and the new events with
addresses masked; a comment line every ``heartbeat_s`` keeps idle connections open."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from emailtrack.presentation import views
from emailtrack.v1 import analytics_pb2
from gateway.config import DashboardUser
from gateway.operator.api import params
from gateway.operator.api.backend import Backend, ServiceError

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
RETRY_MS = 3000


def sse_message(update: analytics_pb2.WatchCampaignResponse) -> str:
    payload = {
        "stats": views.campaign_stats(update.stats),
        "events": [views.event_summary(event) for event in update.new_events],
    }
    return f"event: update\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n"


class LiveFeed:
    def __init__(self, backend: Backend, heartbeat_s: float = 15.0) -> None:
        self.backend = backend
        self.heartbeat_s = heartbeat_s

    async def stream(self, request: Request, user: DashboardUser) -> Response:
        try:
            campaign_id = params.path_id(request.path_params, "campaign_id")
        except params.ParameterError as exc:
            return Response(exc.message, status_code=422)

        async def messages() -> AsyncIterator[str]:
            yield f"retry: {RETRY_MS}\n\n"
            try:
                async for update in self.backend.watch(
                    user.tenant_id, campaign_id, self.heartbeat_s
                ):
                    yield ": keep-alive\n\n" if update is None else sse_message(update)
            except ServiceError as exc:
                # the browser reconnects after RETRY_MS; tell the page why the feed paused
                yield f"event: failure\ndata: {json.dumps(exc.message)}\n\n"

        return StreamingResponse(messages(), media_type="text/event-stream", headers=SSE_HEADERS)
