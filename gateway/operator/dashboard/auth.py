"""Dashboard logins: a form checks ``EMAILTRACK_DASHBOARD_USERS`` (user:password:tenant) and
stores the user name in the signed session cookie (Starlette's SessionMiddleware). The tenant
is looked up from the configuration on every request, never taken from the request, so
removing a user ends their sessions."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.config import DashboardUser, OperatorSettings

SESSION_KEY = "user"
MAX_FORM_BYTES = 4096

Page = Callable[[Request], Awaitable[Response]]
UserPage = Callable[[Request, DashboardUser], Awaitable[Response]]


class Logins:
    def __init__(self, settings: OperatorSettings) -> None:
        self.users = settings.dashboard_users

    def check(self, name: str, password: str) -> DashboardUser | None:
        """The user whose name and password both match (compared in constant time)."""
        found = None
        for user in self.users:
            same_name = hmac.compare_digest(user.name.encode(), name.encode())
            same_password = hmac.compare_digest(user.password.encode(), password.encode())
            if same_name and same_password:
                found = user
        return found

    def current(self, request: Request) -> DashboardUser | None:
        name = request.session.get(SESSION_KEY)
        return next((u for u in self.users if u.name == name), None)

    def required(self, page: UserPage, redirect: bool = True) -> Page:
        """Runs ``page`` for a logged-in user; others go to the login form (or get 401)."""

        async def endpoint(request: Request) -> Response:
            user = self.current(request)
            if user is None:
                if not redirect:
                    return Response("login required", status_code=401)
                return RedirectResponse(request.url_for("dashboard:login"), status_code=303)
            return await page(request, user)

        return endpoint

    async def log_in(self, request: Request) -> DashboardUser | None:
        """Reads the posted form; on success the session holds the user."""
        raw = await request.body()
        form = parse_qs(raw[:MAX_FORM_BYTES].decode("utf-8", "replace"))
        user = self.check(form.get("username", [""])[0], form.get("password", [""])[0])
        request.session.clear()
        if user is not None:
            request.session[SESSION_KEY] = user.name
        return user
