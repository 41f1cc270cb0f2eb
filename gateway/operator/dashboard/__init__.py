"""The operators' web dashboard (``/dashboard``): login, live campaign list, live campaign
page, a campaign's per-message list and its CSV, sending mailboxes, recipients, outbound
webhooks (``webhooks_pages``, whose notice of a disabled endpoint every page shows);
server-rendered Jinja2 templates, two small scripts, vendored uPlot."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emailtrack.common.db import make_engine
from gateway.config import OperatorSettings
from gateway.operator.api.backend import Backend
from gateway.operator.api.docs_page import docs_routes
from gateway.operator.api.encoded_paths import KeepEncodedSeparators
from gateway.operator.api.routes import api_app
from gateway.operator.dashboard.auth import FormTooLarge, Logins, posted_form
from gateway.operator.dashboard.live import LiveFeed
from gateway.operator.dashboard.message_pages import MessagePages
from gateway.operator.dashboard.pages import TEMPLATES, Pages
from gateway.operator.dashboard.recipient_pages import RecipientPages
from gateway.operator.dashboard.sessions import PostgresSessions, ProcessSessions, SessionStore
from gateway.operator.dashboard.webhooks_pages import WebhookPages, webhook_routes

STATIC = Path(__file__).parent / "static"
SESSION_HOURS = 12
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
        b"form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds a strict Content-Security-Policy (no inline script or style) to every reply."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def session_store(settings: OperatorSettings) -> SessionStore:
    """PostgreSQL when configured (shared by every worker and replica), else this process."""
    if settings.dashboard_database_url:
        return PostgresSessions(make_engine(settings.dashboard_database_url, pool_size=2))
    return ProcessSessions()


def dashboard_app(settings: OperatorSettings, backend: Backend) -> Starlette:
    logins = Logins(settings, session_store(settings), timedelta(hours=SESSION_HOURS))
    pages = Pages(backend, logins)
    recipients = RecipientPages(pages)
    messages = MessagePages(pages)
    live = LiveFeed(backend)
    hooks = WebhookPages(backend, pages)
    noticed = hooks.with_notices

    async def login_form(request: Request) -> Response:
        if await logins.current(request) is not None:
            return RedirectResponse(request.url_for("dashboard:campaigns"), status_code=303)
        return TEMPLATES.TemplateResponse(request, "login.html", {"failed": False})

    async def login(request: Request) -> Response:
        try:
            outcome = await logins.log_in(request)
        except FormTooLarge:
            return PlainTextResponse("request body too large", status_code=413)
        if outcome.bad_form:
            return PlainTextResponse("form expired: reload the login page", status_code=403)
        if outcome.retry_after:
            context = {"failed": False, "retry_after": outcome.retry_after}
            headers = {"Retry-After": str(outcome.retry_after)}
            return TEMPLATES.TemplateResponse(
                request, "login.html", context, status_code=429, headers=headers
            )
        if outcome.user is None:
            context = {"failed": True}
            return TEMPLATES.TemplateResponse(request, "login.html", context, status_code=401)
        return RedirectResponse(request.url_for("dashboard:campaigns"), status_code=303)

    async def logout(request: Request) -> Response:
        form = await posted_form(request)
        if isinstance(form, Response):
            return form
        await logins.log_out(request)
        return RedirectResponse(request.url_for("dashboard:login"), status_code=303)

    routes = [
        Route("/login", login_form, methods=["GET"], name="login"),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"], name="logout"),
        Route("/", logins.required(noticed(pages.campaigns)), name="campaigns"),
        Route("/live", logins.required(live.campaign_list, redirect=False), name="campaigns_live"),
        Route("/recipients", logins.required(noticed(recipients.recipients)), name="recipient"),
        Route("/mailboxes", logins.required(noticed(pages.mailboxes)), name="mailboxes"),
        Route(
            "/campaigns/{campaign_id}", logins.required(noticed(pages.campaign)), name="campaign"
        ),
        Route(
            "/campaigns/{campaign_id}/messages",
            logins.required(noticed(messages.messages)),
            name="messages",
        ),
        Route(
            "/campaigns/{campaign_id}/messages.csv",
            logins.required(messages.messages_csv),
            name="messages_csv",
        ),
        Route(
            "/campaigns/{campaign_id}/links",
            logins.required(pages.top_links, redirect=False),
            name="top_links",
        ),
        Route(
            "/campaigns/{campaign_id}/breakdowns",
            logins.required(pages.breakdowns, redirect=False),
            name="breakdowns",
        ),
        Route(
            "/campaigns/{campaign_id}/timeline.json",
            logins.required(pages.timeline, redirect=False),
            name="timeline",
        ),
        Route(
            "/campaigns/{campaign_id}/live",
            logins.required(live.stream, redirect=False),
            name="live",
        ),
        *webhook_routes(hooks, logins),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(KeepEncodedSeparators),
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=settings.session_secret,
            session_cookie="emailtrack_dashboard",
            max_age=SESSION_HOURS * 3600,
            path="/dashboard",
            same_site="lax",
            https_only=settings.secure_cookies,
        ),
    ]
    return Starlette(routes=routes, middleware=middleware)


def operator_routes(settings: OperatorSettings) -> list[BaseRoute]:
    """The dashboard, the JSON API (sharing one set of gRPC channels) and the API reference
    (before the API's mount, which would take its path)."""
    backend = Backend(settings)
    return [
        *docs_routes("/api/v1/docs"),
        Mount("/api/v1", app=api_app(settings, backend)),
        Mount("/dashboard", app=dashboard_app(settings, backend), name="dashboard"),
    ]
