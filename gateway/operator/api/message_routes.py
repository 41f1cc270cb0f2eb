"""JSON API operations for the per-message list of a campaign: one row per (message,
recipient) with its status, first open / click times, human and machine hits, replies and
bounce, as a JSON page (``/campaigns/{id}/messages``) or the whole list as a streamed CSV
(``/messages.csv``); with their OpenAPI paths and schemas. Each page is one
ListCampaignMessages call (recipient service: registrations and delivery state) and one
GetMessageEngagement call (analytics: what was seen), merged by
``emailtrack.presentation.message_views``. Mounted under ``/api/v1``."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from emailtrack.presentation import message_views
from emailtrack.v1 import recipient_pb2
from gateway.operator.api import campaign_fetch, params
from gateway.operator.api.backend import Backend

TenantHandler = Callable[[Request, str], Awaitable[Response]]
Guard = Callable[[TenantHandler], Callable[[Request], Awaitable[Response]]]
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
CSV_PAGE_SIZE = 500
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


async def message_page(
    backend: Backend, tenant_id: str, campaign_id: str, size: int, token: str
) -> tuple[list[dict[str, Any]], str]:
    """One page of rows and the token of the next page ("" after the last)."""
    page = await backend.call(
        backend.recipient.ListCampaignMessages,
        recipient_pb2.ListCampaignMessagesRequest(
            tenant_id=tenant_id, campaign_id=campaign_id, page_size=size, page_token=token
        ),
    )
    if not page.messages:
        return [], ""
    facts = await backend.call(
        backend.analytics.GetMessageEngagement,
        message_views.engagement_request(tenant_id, campaign_id, page.messages),
    )
    return message_views.message_rows(page.messages, facts), page.next_page_token


class MessageApi:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def _known(self, tenant_id: str, campaign_id: str) -> None:
        """404 for a campaign with no registered message, no definition and no event (messages
        registered under an id never defined are listed: registration accepts plain ids)."""
        await campaign_fetch.existing_stats(self.backend, tenant_id, campaign_id)

    async def messages(self, request: Request, tenant_id: str) -> Response:
        query = request.query_params
        params.only(query, ("page_size", "page_token"))
        campaign_id = params.path_id(request.path_params, "campaign_id")
        size = params.integer(query, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        token = params.token(query, "page_token")
        rows, next_token = await message_page(self.backend, tenant_id, campaign_id, size, token)
        if not rows and not token:
            await self._known(tenant_id, campaign_id)
        return JSONResponse({"messages": rows, "next_page_token": next_token or None})

    async def messages_csv(self, request: Request, tenant_id: str) -> Response:
        params.only(request.query_params, ())
        campaign_id = params.path_id(request.path_params, "campaign_id")
        # the first page is fetched before answering: a refusal is still a JSON error
        first, token = await message_page(self.backend, tenant_id, campaign_id, CSV_PAGE_SIZE, "")
        if not first:
            await self._known(tenant_id, campaign_id)

        async def lines() -> AsyncIterator[str]:
            yield message_views.csv_header()
            yield message_views.csv_rows(first)
            following = token
            while following:
                rows, following = await message_page(
                    self.backend, tenant_id, campaign_id, CSV_PAGE_SIZE, following
                )
                yield message_views.csv_rows(rows)

        name = _FILENAME_UNSAFE.sub("_", campaign_id)[:80] or "campaign"
        disposition = f'attachment; filename="{name}-messages.csv"'
        return StreamingResponse(
            lines(), media_type="text/csv", headers={"Content-Disposition": disposition}
        )


def message_routes(backend: Backend, guarded: Guard) -> list[Route]:
    api = MessageApi(backend)
    campaign = "/campaigns/{campaign_id}"
    return [
        Route(campaign + "/messages", guarded(api.messages)),
        Route(campaign + "/messages.csv", guarded(api.messages_csv)),
    ]


def _nullable(kind: str, **more: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **more}


def schemas() -> dict[str, Any]:
    time = _nullable("string", format="date-time")
    count = {"type": "integer", "minimum": 0}
    flag = {"type": "boolean"}
    text = {"type": "string"}
    row = {
        "message_id": text,
        "email": text,
        "status": {"enum": list(message_views.STATUSES)},
        "recipient_status": {
            "enum": [*message_views.RECIPIENT_STATUSES.values(), "unknown"],
            "description": "The recipient's status now, over every campaign",
        },
        "sequence_step": text,
        "variant": text,
        "mailbox": text,
        "sent_at": time,
        "delivered_at": time,
        "first_open_at": time,
        "opens": {**count, "description": "Open hits (total, machine ones included)"},
        "opened_by_human": {
            **flag,
            "description": "An open by a person (human, or a webmail proxy fetching on read)",
        },
        "opened_by_machine": {
            **flag,
            "description": "An open by a machine (Apple MPP prefetch, scanner, bot)",
        },
        "first_click_at": time,
        "clicks": {**count, "description": "Click hits (total, machine ones included)"},
        "clicked_by_human": flag,
        "clicked_by_machine": flag,
        "replies": {**count, "description": "Reply events (total)"},
        "first_reply_at": time,
        "bounced_at": time,
        "bounce_type": {"enum": ["hard", "soft", None]},
        "reason": _nullable("string", description="Deferral or failure reason the sender gave"),
        "complained_at": time,
        "unsubscribed_at": _nullable(
            "string", format="date-time", description="Unsubscribed through this message"
        ),
    }
    return {
        "CampaignMessage": {"type": "object", "properties": row, "required": list(row)},
        "CampaignMessages": {
            "type": "object",
            "properties": {
                "messages": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/CampaignMessage"},
                },
                "next_page_token": {"type": ["string", "null"]},
            },
            "required": ["messages", "next_page_token"],
        },
    }


def paths(operation: Any, reply: Any, query: Any, campaign: list[Any]) -> dict[str, Any]:
    """The paths, built with ``gateway.operator.api.openapi``'s helpers."""
    csv = {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
    size = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
    return {
        "/campaigns/{campaign_id}/messages": {
            "get": operation(
                "One row per (message, recipient): status, opens and clicks by people or "
                "machines, replies, bounce (paged, ordered by message id)",
                reply("CampaignMessages"),
                [
                    *campaign,
                    query("page_size", size, f"Rows per page ({DEFAULT_PAGE_SIZE})"),
                    query("page_token", {"type": "string"}, "next_page_token of the last page"),
                ],
            )
        },
        "/campaigns/{campaign_id}/messages.csv": {
            "get": operation("Every row of the per-message list as CSV (streamed)", csv, campaign)
        },
    }
