"""The dashboard's per-message view of a campaign: one row per (message, recipient) with who
opened, clicked, replied, bounced, complained or unsubscribed (people and machines told
apart), one page at a time, and the whole list as a CSV download. The rows and the CSV are the
JSON API's (``gateway.operator.api.message_routes``), behind the dashboard's login."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.config import DashboardUser
from gateway.operator.api import campaign_fetch, params
from gateway.operator.api.backend import ServiceError
from gateway.operator.api.message_routes import MessageApi, message_page
from gateway.operator.dashboard.pages import Pages

PAGE_SIZE = 100


class MessagePages:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.backend = pages.backend
        self.api = MessageApi(pages.backend)

    async def messages(self, request: Request, user: DashboardUser) -> Response:
        """A page of the list (``?page=`` the token of the next page)."""
        tenant = user.tenant_id
        try:
            params.only(request.query_params, ("page",))
            campaign_id = params.path_id(request.path_params, "campaign_id")
            token = params.token(request.query_params, "page")
            await campaign_fetch.existing_stats(self.backend, tenant, campaign_id)
            rows, next_page = await message_page(
                self.backend, tenant, campaign_id, PAGE_SIZE, token
            )
        except (ServiceError, params.ParameterError) as exc:
            return self.pages.failure(request, user, exc)
        return self.pages.render(
            request,
            "messages.html",
            user,
            campaign_id=campaign_id,
            rows=rows,
            first_page=not token,
            next_page=next_page,
        )

    async def messages_csv(self, request: Request, user: DashboardUser) -> Response:
        """Every row as CSV, streamed (an attachment named after the campaign)."""
        try:
            return await self.api.messages_csv(request, user.tenant_id)
        except (ServiceError, params.ParameterError) as exc:
            return self.pages.failure(request, user, exc)
