"""The tracking hot path: pixel and click answered by the gateway's own handlers, served
natively through granian's RSGI interface (``TrackingApp.__rsgi__``) or through ASGI (the
in-process test client), the same code either way; unsubscribe, health and metrics are
Starlette routes, reached from RSGI through ``gateway.rsgi_bridge``. Hits are handed to Kafka
asynchronously. It imports nothing from ``gateway.operator``: ``gateway.asgi`` mounts the
operator routes next to it.

Tokens past the maximum age (``EMAILTRACK_TOKEN_MAX_AGE_DAYS``) still work but are not recorded:
the click redirects and the pixel is served, with no hit sent (the tracking window is closed).
Unsubscribes are recorded at any age. Forged, altered or unknown-key tokens never redirect, and
a token naming a host (its tracking domain) is answered on that host only, and there only while
the host is the deployment's own or verified for the token's tenant (``domain_owners``)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import NamedTuple, Protocol, TypeVar

from granian.rsgi import HTTPProtocol
from granian.rsgi import Scope as RsgiScope
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Message, Receive, Scope, Send

from emailtrack.common import metrics
from emailtrack.common.browser_urls import redirect_location
from emailtrack.common.hot_metrics import HotCounter, HotHistogram
from emailtrack.common.tokens import InvalidToken, VerifiedToken, open_token
from emailtrack.common.tracking_urls import (
    CLICK_PREFIX,
    PIXEL_PREFIX,
    PIXEL_SUFFIX,
    UNSUBSCRIBE_PREFIX,
)
from emailtrack.v1 import events_pb2
from gateway.bodies import bounded_body
from gateway.config import GatewaySettings
from gateway.rsgi_bridge import AsgiBridge
from gateway.tracking.domain_owners import DomainOwners
from gateway.tracking.hit_limits import HitLimiter
from gateway.tracking.hits import (
    HitIds,
    TrackingRequest,
    asgi_request,
    build_hit,
    host_of_request,
    request_span,
    rsgi_request,
)

PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_CACHE = {
    "Cache-Control": "no-store, no-cache, must-revalidate, max-age=0, private",
    "Pragma": "no-cache",
    "Expires": "0",
}
NOT_FOUND_PAGE = (
    "<!doctype html><title>Link not found</title>"
    "<h1>This link is not valid</h1><p>It may have been altered or has expired.</p>"
)
CONFIRM_PAGE = (
    "<!doctype html><title>Unsubscribe</title><h1>Unsubscribe from these emails?</h1>"
    '<form method="post"><button type="submit">Unsubscribe</button></form>'
)
UNSUBSCRIBED_PAGE = (
    "<!doctype html><title>Unsubscribed</title>"
    "<h1>You have been unsubscribed</h1><p>You will no longer receive these emails.</p>"
)


class Answer(NamedTuple):
    """A hot-path response, whole: RSGI sends it with one ``response_bytes`` call."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


NO_CACHE_HEADERS = [(name.lower(), value) for name, value in NO_CACHE.items()]
PIXEL_HEADERS = [
    *NO_CACHE_HEADERS,
    ("content-type", "image/gif"),
    ("content-length", str(len(PIXEL_GIF))),
]
PIXEL = Answer(200, PIXEL_HEADERS, PIXEL_GIF)
PIXEL_HEAD = Answer(200, PIXEL_HEADERS, b"")
REDIRECT_HEADERS = [*NO_CACHE_HEADERS, ("content-length", "0")]
LINK_NOT_FOUND = Answer(
    404,
    [
        *NO_CACHE_HEADERS,
        ("content-type", "text/html; charset=utf-8"),
        ("content-length", str(len(NOT_FOUND_PAGE.encode()))),
    ],
    NOT_FOUND_PAGE.encode(),
)
TRACKING_METHODS = ("GET", "HEAD")
METHOD_NOT_ALLOWED = Answer(
    405,
    [
        ("allow", ", ".join(TRACKING_METHODS)),
        ("content-type", "text/plain; charset=utf-8"),
        ("content-length", "18"),
    ],
    b"Method Not Allowed",
)
FIXED_ANSWERS = (PIXEL, PIXEL_HEAD, LINK_NOT_FOUND, METHOD_NOT_ALLOWED)
LIMITED_KINDS = (events_pb2.HIT_KIND_OPEN, events_pb2.HIT_KIND_CLICK)
MAX_FORM_BYTES = 64 * 1024  # an unsubscribe POST is a one-line form
ServerScope = TypeVar("ServerScope")


class HitSink(Protocol):
    """Where verified hits go (the Kafka HitPublisher in production)."""

    def start(self) -> None: ...
    def submit(self, hit: events_pb2.RawHit) -> bool: ...
    def connected(self) -> bool: ...
    def close(self) -> None: ...


class Gateway:
    """Request handlers bound to their dependencies (no module globals). Pixel and click,
    the hot path, take a ``TrackingRequest`` and return their whole ``Answer``, whichever
    interface served the request; the rest are Starlette endpoints."""

    def __init__(self, settings: GatewaySettings, publisher: HitSink | None) -> None:
        self.settings = settings
        self.publisher = publisher
        self.hit_ids = HitIds()
        self.hit_limiter = HitLimiter(settings.hit_limit_per_ip, settings.hit_limit_window_s)
        # X-Forwarded-Host is read only from these peers (none unless the deployment says so)
        self.forwarded_host_from = settings.trusted_proxies if settings.trust_forwarded_host else ()
        services = settings.operators  # the addresses and credential of the gRPC services
        self.domain_owners = DomainOwners(
            services.tracking_edge_addr,
            services.public_base_url,
            services.service_key,
            services.grpc_tls,
        )
        # the hot path's series, written straight into the multiprocess files (hot_metrics)
        self._rate_limited = HotCounter(metrics.HTTP_REQUESTS.labels("hit", "rate_limited"))
        self._pixel_served = HotCounter(metrics.HTTP_REQUESTS.labels("pixel", "200"))
        self._pixel_latency = HotHistogram(metrics.HTTP_LATENCY.labels("pixel"))
        self._click_redirected = HotCounter(metrics.HTTP_REQUESTS.labels("click", "302"))
        self._click_not_found = HotCounter(metrics.HTTP_REQUESTS.labels("click", "404"))
        self._click_latency = HotHistogram(metrics.HTTP_LATENCY.labels("click"))

    async def _verified(
        self, token: str, kind: int, request: TrackingRequest
    ) -> VerifiedToken | None:
        """A genuine token of ``kind`` (expired or not) presented on the host it was issued
        for (tokens name it since tracking domains; older ones name none) while that host
        serves the token's tenant, else None."""
        try:
            verified = open_token(token, self.settings.token_keys)
        except InvalidToken:
            return None
        claims = verified.claims
        if claims.kind != kind:
            return None
        host = claims.tracking_host
        if not host:
            return verified
        if host != host_of_request(request, self.forwarded_host_from):
            return None  # e.g. a token of one tenant on another tenant's tracking domain
        serves = self.domain_owners.answer_at_hand(host, claims.tenant_id)
        if serves is None:
            serves = await self.domain_owners.serves(host, claims.tenant_id)
        return verified if serves else None  # else a domain the tenant removed, or unverified

    def _record(
        self, request: TrackingRequest, claims: events_pb2.TokenClaims, one_click: bool = False
    ) -> None:
        if self.publisher is None:
            return
        with request_span(request, claims.kind):
            self.publisher.submit(self._hit(request, claims, one_click))

    def _hit(
        self, request: TrackingRequest, claims: events_pb2.TokenClaims, one_click: bool
    ) -> events_pb2.RawHit:
        """The hit, marked rate_limited when its client IP is past the per-IP limit (opens
        and clicks only: an unsubscribe always counts)."""
        trusted = self.settings.trusted_proxies
        hit = build_hit(request, claims, trusted, self.hit_ids.next(), one_click=one_click)
        if claims.kind in LIMITED_KINDS and self.hit_limiter.over_limit(hit.client_ip):
            hit.rate_limited = True
            self._rate_limited.inc()
        return hit

    async def pixel(self, request: TrackingRequest, name: str) -> Answer:
        started = time.perf_counter()
        token = name[: -len(PIXEL_SUFFIX)] if name.endswith(PIXEL_SUFFIX) else name
        verified = await self._verified(token, events_pb2.HIT_KIND_OPEN, request)
        if verified is not None and not verified.expired:
            self._record(request, verified.claims)
        self._pixel_served.inc()
        self._pixel_latency.observe(time.perf_counter() - started)
        return PIXEL_HEAD if request.method == "HEAD" else PIXEL

    async def click(self, request: TrackingRequest, token: str) -> Answer:
        started = time.perf_counter()
        verified = await self._verified(token, events_pb2.HIT_KIND_CLICK, request)
        location = None if verified is None else redirect_location(verified.claims.link_url)
        if verified is None or location is None:
            self._click_not_found.inc()
            return LINK_NOT_FOUND
        if not verified.expired:  # past the tracking window the link works, unrecorded
            self._record(request, verified.claims)
        self._click_redirected.inc()
        self._click_latency.observe(time.perf_counter() - started)
        return Answer(302, [("location", location), *REDIRECT_HEADERS], b"")

    async def unsubscribe(self, request: Request) -> Response:
        """GET shows a confirmation form (link scanners must not unsubscribe anyone);
        POST unsubscribes: RFC 8058 one-click from mail clients, or the form's button."""
        tracking = asgi_request(request.scope)
        token = request.path_params["token"]
        verified = await self._verified(token, events_pb2.HIT_KIND_UNSUBSCRIBE, tracking)
        if verified is None:
            metrics.HTTP_REQUESTS.labels("unsubscribe", "404").inc()
            return HTMLResponse(NOT_FOUND_PAGE, status_code=404, headers=NO_CACHE)
        if request.method == "GET":
            metrics.HTTP_REQUESTS.labels("unsubscribe", "200").inc()
            return HTMLResponse(CONFIRM_PAGE, headers=NO_CACHE)
        body = await bounded_body(request, MAX_FORM_BYTES)
        if body is None:
            metrics.HTTP_REQUESTS.labels("unsubscribe", "413").inc()
            return PlainTextResponse("request body too large", status_code=413)
        one_click = b"List-Unsubscribe=One-Click" in body[:1024]
        # honoured at any age: an unsubscribe is the reader's choice, not a tracked hit
        self._record(tracking, verified.claims, one_click=one_click)
        metrics.HTTP_REQUESTS.labels("unsubscribe", "200").inc()
        if one_click:
            return PlainTextResponse("unsubscribed", headers=NO_CACHE)
        return HTMLResponse(UNSUBSCRIBED_PAGE, headers=NO_CACHE)

    async def home(self, request: Request) -> Response:
        return PlainTextResponse("emailtrack tracking gateway")

    async def healthz(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(self, request: Request) -> Response:
        if self.publisher is None or not self.publisher.connected():
            return PlainTextResponse("kafka not connected", status_code=503)
        return PlainTextResponse("ready")

    async def metrics(self, request: Request) -> Response:
        """The sum over every worker process when they share a multiprocess folder."""
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def asgi_messages(answer: Answer) -> tuple[Message, Message]:
    """The ASGI response start and body messages of ``answer``."""
    headers = [(name.encode(), value.encode()) for name, value in answer.headers]
    start = {"type": "http.response.start", "status": answer.status, "headers": headers}
    return start, {"type": "http.response.body", "body": answer.body}


class TrackingApp:
    """The gateway's entry point, for either interface of granian: pixel (``/o/<token>.gif``)
    and click (``/c/<token>``) requests go straight to their handlers (``hot_answer``), skipping
    Starlette's middleware, routing and request objects; every other request, and the
    lifespan, goes to the Starlette app: directly under ASGI, through ``AsgiBridge`` under
    RSGI (whose worker hooks run the lifespan)."""

    def __init__(self, gateway: Gateway, app: Starlette) -> None:
        self.gateway = gateway
        self.app = app
        self.bridge = AsgiBridge(app)
        self.hot_routes = ((PIXEL_PREFIX, gateway.pixel), (CLICK_PREFIX, gateway.click))
        # the fixed answers' ASGI messages, built once (module constants: their ids stay theirs)
        self.asgi_constants = {id(answer): asgi_messages(answer) for answer in FIXED_ANSWERS}

    async def hot_answer(
        self,
        path: str,
        method: str,
        scope: ServerScope,
        tracking_request: Callable[[ServerScope], TrackingRequest],
    ) -> Answer | None:
        """The answer to a pixel or click request, or None for any other path."""
        for prefix, handler in self.hot_routes:
            if not path.startswith(prefix):
                continue
            segment = path[len(prefix) :]
            if not segment or "/" in segment:
                return None
            if method not in TRACKING_METHODS:
                return METHOD_NOT_ALLOWED
            return await handler(tracking_request(scope), segment)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            answer = await self.hot_answer(scope["path"], scope["method"], scope, asgi_request)
            if answer is not None:
                start, body = self.asgi_constants.get(id(answer)) or asgi_messages(answer)
                await send(start)
                await send(body)
                return
        await self.app(scope, receive, send)

    async def __rsgi__(self, scope: RsgiScope, protocol: HTTPProtocol) -> None:
        answer = await self.hot_answer(scope.path, scope.method, scope, rsgi_request)
        if answer is None:
            await self.bridge.serve(scope, protocol)
        else:
            protocol.response_bytes(*answer)

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.bridge.startup(loop)

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.bridge.shutdown(loop)


def build_app(
    settings: GatewaySettings, publisher: HitSink | None, more_routes: Sequence[BaseRoute] = ()
) -> TrackingApp:
    """The tracking endpoints, health and metrics, then ``more_routes`` (the operator side
    when one process serves both)."""
    gateway = Gateway(settings, publisher)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if publisher is not None:
            publisher.start()
        yield
        if publisher is not None:
            publisher.close()

    routes = [
        Route(UNSUBSCRIBE_PREFIX + "{token}", gateway.unsubscribe, methods=["GET", "POST"]),
        Route("/", gateway.home),
        Route("/healthz", gateway.healthz),
        Route("/readyz", gateway.readyz),
        *([] if settings.metrics_port else [Route("/metrics", gateway.metrics)]),
        *more_routes,
    ]
    return TrackingApp(gateway, Starlette(routes=routes, lifespan=lifespan))
