"""Dashboard management of outbound webhooks (WebhookService) for the user's tenant: the
endpoints with their state, create / edit / enable / disable / delete / rotate the secret
(POST forms with the session's CSRF token; a new secret is shown on the reply page once and
never again), the delivery log of an endpoint (paged, with every attempt) and its replays;
and the notice shown on every page while an endpoint is disabled after failing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from emailtrack.presentation.webhooks import DELIVERY_STATUSES, delivery_view, endpoint_view
from emailtrack.v1 import webhooks_pb2
from gateway.config import DashboardUser
from gateway.operator.api import params
from gateway.operator.api.backend import Backend, ServiceError
from gateway.operator.dashboard.auth import Logins, posted_form
from gateway.operator.dashboard.pages import Pages

log = logging.getLogger(__name__)
UserPage = Callable[[Request, DashboardUser], Awaitable[Response]]
NOTICES_STATE = "webhook_notices"
PAGE_SIZE = 50
MAX_EVENTS_FIELD = 2000
ACTIONS = ("update", "enable", "disable", "rotate", "delete", "replay")


def events_field(raw: str) -> list[str]:
    """A comma- or space-separated filter as typed in the form (the service checks names)."""
    if len(raw) > MAX_EVENTS_FIELD:
        raise params.ParameterError("events", f"must be at most {MAX_EVENTS_FIELD} characters")
    return [entry for entry in raw.replace(",", " ").split() if entry]


def disabled_notices(endpoints: list[webhooks_pb2.WebhookEndpoint]) -> list[dict[str, Any]]:
    """The endpoints the service disabled after failing (not those the tenant switched off)."""
    return [
        endpoint_view(e)
        for e in endpoints
        if not e.enabled and e.disabled_reason and e.disabled_reason != "disabled by the tenant"
    ]


class WebhookPages:
    def __init__(self, backend: Backend, pages: Pages) -> None:
        self.backend = backend
        self.pages = pages

    async def _endpoints(self, tenant_id: str) -> list[webhooks_pb2.WebhookEndpoint]:
        reply = await self.backend.call(
            self.backend.webhooks.ListEndpoints,
            webhooks_pb2.ListEndpointsRequest(tenant_id=tenant_id),
        )
        return list(reply.endpoints)

    def with_notices(self, page: UserPage) -> UserPage:
        """Runs ``page`` with the tenant's disabled endpoints in ``request.state`` (the base
        template shows them). A webhooks service that cannot answer hides the notice only:
        the page itself never fails because of it."""

        async def wrapped(request: Request, user: DashboardUser) -> Response:
            try:
                found = disabled_notices(await self._endpoints(user.tenant_id))
            except ServiceError as exc:
                log.info("webhook notices unavailable: %s", exc.message)
                found = []
            setattr(request.state, NOTICES_STATE, found)
            return await page(request, user)

        return wrapped

    async def index(self, request: Request, user: DashboardUser, **shown: Any) -> Response:
        try:
            endpoints = await self._endpoints(user.tenant_id)
        except ServiceError as exc:
            return self.pages.failure(request, user, exc)
        setattr(request.state, NOTICES_STATE, disabled_notices(endpoints))
        rows = [endpoint_view(e) for e in endpoints]
        return self.pages.render(
            request, "webhooks.html", user, status=shown.pop("status", 200), endpoints=rows, **shown
        )

    async def create(self, request: Request, user: DashboardUser) -> Response:
        form = await posted_form(request)
        if isinstance(form, Response):
            return form
        try:
            reply = await self.backend.call(
                self.backend.webhooks.CreateEndpoint,
                webhooks_pb2.CreateEndpointRequest(
                    tenant_id=user.tenant_id,
                    url=form.get("url", "").strip(),
                    events=events_field(form.get("events", "")),
                    batch=form.get("batch") == "on",
                    description=params.text("description", form.get("description", "")),
                ),
            )
        except (ServiceError, params.ParameterError) as exc:
            return await self._refused(request, user, exc, form)
        return await self.index(
            request, user, secret=reply.secret, secret_for=reply.endpoint.endpoint_id
        )

    async def _refused(
        self,
        request: Request,
        user: DashboardUser,
        exc: ServiceError | params.ParameterError,
        form: dict[str, str],
    ) -> Response:
        status = exc.status if isinstance(exc, ServiceError) else 422
        if status >= 500:
            return self.pages.failure(request, user, exc)
        return await self.index(request, user, status=status, error=exc.message, form=form)

    async def act(self, request: Request, user: DashboardUser) -> Response:
        """The POSTed button of one endpoint: update, enable, disable, rotate, delete, replay."""
        form = await posted_form(request)
        if isinstance(form, Response):
            return form
        action = request.path_params["action"]
        try:
            endpoint_id = params.path_id(request.path_params, "endpoint_id")
            if action not in ACTIONS:
                raise params.ParameterError("action", f"must be one of {', '.join(ACTIONS)}")
            shown = await self._apply(action, user.tenant_id, endpoint_id, form)
        except (ServiceError, params.ParameterError) as exc:
            return await self._refused(request, user, exc, {})
        if action == "rotate":
            return await self.index(request, user, secret=shown, secret_for=endpoint_id)
        if action == "replay":
            target = request.url_for("dashboard:webhook_deliveries", endpoint_id=endpoint_id)
            return RedirectResponse(f"{target}?replayed={shown}", status_code=303)
        return RedirectResponse(request.url_for("dashboard:webhooks"), status_code=303)

    async def _apply(
        self, action: str, tenant_id: str, endpoint_id: str, form: dict[str, str]
    ) -> str:
        stub = self.backend.webhooks
        if action == "delete":
            await self.backend.call(
                stub.DeleteEndpoint,
                webhooks_pb2.DeleteEndpointRequest(tenant_id=tenant_id, endpoint_id=endpoint_id),
            )
        elif action == "rotate":
            reply = await self.backend.call(
                stub.RotateEndpointSecret,
                webhooks_pb2.RotateEndpointSecretRequest(
                    tenant_id=tenant_id, endpoint_id=endpoint_id
                ),
            )
            return reply.secret
        elif action == "replay":
            replayed = await self.backend.call(
                stub.ReplayDeliveries,
                webhooks_pb2.ReplayDeliveriesRequest(
                    tenant_id=tenant_id, endpoint_id=endpoint_id, failed_only=True
                ),
            )
            return str(replayed.scheduled)
        else:
            update = webhooks_pb2.UpdateEndpointRequest(
                tenant_id=tenant_id,
                endpoint_id=endpoint_id,
                enable=action == "enable",
                disable=action == "disable",
            )
            if action == "update":
                update.update_events = update.update_batch = True
                update.events.extend(events_field(form.get("events", "")))
                update.batch = form.get("batch") == "on"
            await self.backend.call(stub.UpdateEndpoint, update)
        return ""

    async def deliveries(self, request: Request, user: DashboardUser) -> Response:
        query = request.query_params
        statuses = {"": webhooks_pb2.WEBHOOK_DELIVERY_STATUS_UNSPECIFIED, **DELIVERY_STATUSES}
        try:
            params.only(query, ("status", "page", "replayed"))
            endpoint_id = params.path_id(request.path_params, "endpoint_id")
            status = params.choice(query, "status", statuses, "")
            endpoint = next(
                (e for e in await self._endpoints(user.tenant_id) if e.endpoint_id == endpoint_id),
                None,
            )
            if endpoint is None:
                raise ServiceError(404, "not_found", f"No webhook endpoint {endpoint_id}.")
            reply = await self.backend.call(
                self.backend.webhooks.ListDeliveries,
                webhooks_pb2.ListDeliveriesRequest(
                    tenant_id=user.tenant_id,
                    endpoint_id=endpoint_id,
                    status=status,
                    limit=PAGE_SIZE,
                    page_token=params.token(query, "page"),
                ),
            )
            replayed = params.integer(query, "replayed", -1, 0, 10**9)
        except (ServiceError, params.ParameterError) as exc:
            return self.pages.failure(request, user, exc)
        return self.pages.render(
            request,
            "webhook_deliveries.html",
            user,
            endpoint=endpoint_view(endpoint),
            deliveries=[delivery_view(d) for d in reply.deliveries],
            next_page=reply.next_page_token,
            status_filter=query.get("status", ""),
            statuses=list(DELIVERY_STATUSES),
            replayed=replayed,
        )


def webhook_routes(pages: WebhookPages, logins: Logins) -> list[Route]:
    one = "/webhooks/{endpoint_id}"
    return [
        Route("/webhooks", logins.required(pages.index), methods=["GET"], name="webhooks"),
        Route("/webhooks", logins.required(pages.create), methods=["POST"]),
        Route(
            one + "/deliveries",
            logins.required(pages.with_notices(pages.deliveries)),
            methods=["GET"],
            name="webhook_deliveries",
        ),
        Route(one + "/{action}", logins.required(pages.act), methods=["POST"], name="webhook"),
    ]
