"""The operators' web dashboard (``/dashboard``): login, campaign list, live campaign page,
sending mailboxes, recipient page; server-rendered Jinja2 templates, one small script,
vendored uPlot."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.config import OperatorSettings
from gateway.operator.api.backend import Backend
from gateway.operator.api.docs_page import docs_routes
from gateway.operator.api.routes import api_app
from gateway.operator.dashboard.auth import Logins
from gateway.operator.dashboard.live import LiveFeed
from gateway.operator.dashboard.pages import TEMPLATES, Pages

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


def dashboard_app(settings: OperatorSettings, backend: Backend) -> Starlette:
    logins = Logins(settings)
    pages = Pages(backend, logins)
    live = LiveFeed(backend)

    async def login_form(request: Request) -> Response:
        if logins.current(request) is not None:
            return RedirectResponse(request.url_for("dashboard:campaigns"), status_code=303)
        return TEMPLATES.TemplateResponse(request, "login.html", {"failed": False})

    async def login(request: Request) -> Response:
        if await logins.log_in(request) is None:
            context = {"failed": True}
            return TEMPLATES.TemplateResponse(request, "login.html", context, status_code=401)
        return RedirectResponse(request.url_for("dashboard:campaigns"), status_code=303)

    async def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse(request.url_for("dashboard:login"), status_code=303)

    routes = [
        Route("/login", login_form, methods=["GET"], name="login"),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"], name="logout"),
        Route("/", logins.required(pages.campaigns), name="campaigns"),
        Route("/recipients", logins.required(pages.recipient), name="recipient"),
        Route("/mailboxes", logins.required(pages.mailboxes), name="mailboxes"),
        Route("/campaigns/{campaign_id}", logins.required(pages.campaign), name="campaign"),
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
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
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
