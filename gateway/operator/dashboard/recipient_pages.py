"""The dashboard's recipients page: the tenant's recipients one page at a time, searched by
address (starting with, or containing, what was typed; case-insensitive) and filtered by
status, and one recipient's details and engagement, looked up by address."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emailtrack.presentation import views
from emailtrack.v1 import recipient_pb2
from gateway.config import DashboardUser
from gateway.operator.api import params
from gateway.operator.api.backend import ServiceError
from gateway.operator.api.recipient_routes import search_text
from gateway.operator.dashboard.pages import Pages

PAGE_SIZE = 50
MATCHES = {"prefix": "email_prefix", "contains": "email_contains"}
STATUSES = {"": recipient_pb2.RECIPIENT_STATUS_UNSPECIFIED} | {
    name: status for status, name in views.RECIPIENT_STATUSES.items()
}


class RecipientPages:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.backend = pages.backend

    async def recipients(self, request: Request, user: DashboardUser) -> Response:
        """``?email=`` shows one recipient; else a page of the list (``?q=`` searched as
        ``?match=prefix|contains``, ``?status=``, ``?page=``)."""
        query = request.query_params
        try:
            params.only(query, ("email", "q", "match", "status", "page"))
            if query.get("email"):
                return await self._one(request, user, params.email("email", query["email"]))
            status = params.choice(query, "status", STATUSES, "")
            match = params.choice(query, "match", MATCHES, "prefix")
            search = search_text(query, "q")
            page_token = params.token(query, "page")
            reply = await self.backend.call(
                self.backend.recipient.ListRecipients,
                recipient_pb2.ListRecipientsRequest(
                    tenant_id=user.tenant_id,
                    status=status,
                    page_size=PAGE_SIZE,
                    page_token=page_token,
                    **({match: search} if search else {}),
                ),
            )
        except (ServiceError, params.ParameterError) as exc:
            return self.pages.failure(request, user, exc)
        return self.pages.render(
            request,
            "recipient.html",
            user,
            email="",
            status_filter=query.get("status", ""),
            statuses=list(STATUSES),
            search=search,
            match=query.get("match", "prefix"),
            recipients=[views.recipient(r) for r in reply.recipients],
            next_page=reply.next_page_token,
            found=None,
        )

    async def _one(self, request: Request, user: DashboardUser, email: str) -> Response:
        request_args = {"tenant_id": user.tenant_id, "email": email}
        try:
            found = await self.backend.call(
                self.backend.recipient.GetRecipient,
                recipient_pb2.GetRecipientRequest(**request_args),
            )
            summary = await self.backend.call(
                self.backend.recipient.GetEngagementSummary,
                recipient_pb2.GetEngagementSummaryRequest(**request_args),
            )
        except ServiceError as exc:
            if exc.status != 404:
                raise
            return self.pages.render(
                request, "recipient.html", user, email=email, found=None, missing=True
            )
        view = {**views.recipient(found.recipient), "engagement": views.engagement(summary)}
        return self.pages.render(request, "recipient.html", user, email=email, found=view)
