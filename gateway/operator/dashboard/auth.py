"""Dashboard logins. The login form (bounded body, CSRF token) checks the user's scrypt hash
(or bootstrap plaintext) off the event loop, throttled per client IP and per user (429 with
Retry-After). The signed session cookie holds the user name, the version of the credential
it was opened with and a random session id the server-side store must still hold: the user
is looked up on every request, never taken from the request, so removing a user or changing
their password ends their sessions, and logout ends the session on every worker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from emailtrack.common.dashboard_users import UserDirectory
from emailtrack.common.passwords import credential_version, hash_password, verify_password
from gateway.bodies import bounded_body
from gateway.config import DashboardUser, OperatorSettings
from gateway.operator.dashboard.csrf import FIELD, csrf_valid
from gateway.operator.dashboard.sessions import SessionStore, new_session_id
from gateway.operator.dashboard.throttle import LoginThrottle, ThrottleRules
from gateway.tracking.hits import client_ip

SESSION_KEY = "user"
VERSION_KEY = "credential"
SESSION_ID_KEY = "sid"
MAX_FORM_BYTES = 4096
MAX_NAME_LENGTH = 200
# checked when the user name is unknown, so that a miss costs what a wrong password costs
_UNKNOWN_USER_HASH = hash_password("emailtrack-no-such-user")

Page = Callable[[Request], Awaitable[Response]]
UserPage = Callable[[Request, DashboardUser], Awaitable[Response]]


@dataclass(frozen=True)
class LoginOutcome:
    user: DashboardUser | None = None
    retry_after: int = 0
    bad_form: bool = False


class FormTooLarge(Exception):
    """The posted form is over MAX_FORM_BYTES (413)."""


async def read_form(request: Request) -> dict[str, str] | None:
    """The posted form's fields (first value of each), None when the CSRF token is wrong.
    Raises FormTooLarge past MAX_FORM_BYTES."""
    raw = await bounded_body(request, MAX_FORM_BYTES)
    if raw is None:
        raise FormTooLarge
    fields = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    return fields if csrf_valid(request, fields.get(FIELD, "")) else None


async def posted_form(request: Request) -> dict[str, str] | Response:
    """The posted form (``read_form``), or the reply refusing it: 413 when too large, 403 when
    its CSRF token is stale."""
    try:
        form = await read_form(request)
    except FormTooLarge:
        return PlainTextResponse("request body too large", status_code=413)
    if form is None:
        return PlainTextResponse("form expired: reload the page", status_code=403)
    return form


class Logins:
    def __init__(
        self,
        settings: OperatorSettings,
        sessions: SessionStore,
        lifetime: timedelta,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.users = UserDirectory(settings.dashboard_users, settings.dashboard_users_file)
        self.sessions = sessions
        self.lifetime = lifetime
        self.throttle = throttle or LoginThrottle(ThrottleRules())
        self.trusted_proxies = settings.trusted_proxies

    async def current(self, request: Request) -> DashboardUser | None:
        name = request.session.get(SESSION_KEY)
        session_id = request.session.get(SESSION_ID_KEY)
        user = self.users.find(name) if isinstance(name, str) else None
        if user is None or not isinstance(session_id, str):
            return None
        if request.session.get(VERSION_KEY) != credential_version(user.password):
            return None
        if not await run_in_threadpool(self.sessions.is_live, session_id):
            return None
        return user

    async def log_out(self, request: Request) -> None:
        """Ends the session on the server (its cookie is refused everywhere from now on)."""
        session_id = request.session.get(SESSION_ID_KEY)
        if isinstance(session_id, str):
            await run_in_threadpool(self.sessions.revoke, session_id)
        request.session.clear()

    def required(self, page: UserPage, redirect: bool = True) -> Page:
        """Runs ``page`` for a logged-in user; others go to the login form (or get 401)."""

        async def endpoint(request: Request) -> Response:
            user = await self.current(request)
            if user is None:
                if not redirect:
                    return Response("login required", status_code=401)
                return RedirectResponse(request.url_for("dashboard:login"), status_code=303)
            return await page(request, user)

        return endpoint

    def _client(self, request: Request) -> str:
        peer = request.client.host if request.client else ""
        forwarded = request.headers.get("x-forwarded-for", "")
        return client_ip(peer, forwarded, self.trusted_proxies)

    async def log_in(self, request: Request) -> LoginOutcome:
        """Checks the posted form; on success the session holds the user (and nothing the
        session held before: a fresh CSRF token is made for the new session)."""
        form = await read_form(request)
        if form is None:
            return LoginOutcome(bad_form=True)
        name = form.get("username", "")[:MAX_NAME_LENGTH]
        client = self._client(request)
        wait = self.throttle.retry_after(client, name)
        if wait:
            return LoginOutcome(retry_after=wait)
        user = self.users.find(name)
        stored = user.password if user is not None else _UNKNOWN_USER_HASH
        matches = await run_in_threadpool(verify_password, stored, form.get("password", ""))
        if user is None or not matches:
            self.throttle.failed(client, name)
            return LoginOutcome()
        self.throttle.succeeded(name)
        session_id = new_session_id()
        await run_in_threadpool(self.sessions.open, session_id, user.name, self.lifetime)
        request.session.clear()
        request.session[SESSION_KEY] = user.name
        request.session[VERSION_KEY] = credential_version(user.password)
        request.session[SESSION_ID_KEY] = session_id
        return LoginOutcome(user=user)
