"""Turning an HTTP request and its verified token claims into a RawHit. A request reaches
this module as a ``TrackingRequest``: the few fields a hit is made of, read in one pass from
either server interface's scope (``asgi_request`` or ``rsgi_request``), so the handlers and
the hit are the same code whichever interface served the request."""

from __future__ import annotations

import functools
import ipaddress
import itertools
import os
import time
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import NamedTuple

from granian.rsgi import Scope as RsgiScope
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from starlette.types import Scope

from emailtrack.common.kafka_io import current_trace
from emailtrack.common.telemetry import NO_SPAN, get_tracer, tracing_enabled
from emailtrack.v1 import events_pb2
from gateway.config import Network
from gateway.rsgi_bridge import socket_address

FORWARDED_HEADERS = ("via", "from", "x-forwarded-proto", "sec-fetch-mode", "sec-fetch-site")
TRACE_HEADERS = ("traceparent", "tracestate")
_FIELD_HEADERS = {"user-agent", "accept-language", "referer", "x-forwarded-for"}
_HOST_HEADERS = {"host", "x-forwarded-host"}
WANTED_HEADERS = frozenset(
    _FIELD_HEADERS | _HOST_HEADERS | set(FORWARDED_HEADERS) | set(TRACE_HEADERS)
)
_WANTED_RAW_HEADERS = frozenset(name.encode() for name in WANTED_HEADERS)
NANOS_PER_SECOND = 1_000_000_000


class TrackingRequest(NamedTuple):
    """What the tracking handlers read of a request: its method, the peer's address (empty
    when unknown), its scheme and its ``wanted_headers``."""

    method: str
    peer: str
    scheme: str
    headers: dict[str, str]


def asgi_request(scope: Scope) -> TrackingRequest:
    """The tracking view of an ASGI HTTP scope."""
    client = scope.get("client")
    raw = scope["headers"]
    pairs = (
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, value in raw
        if name in _WANTED_RAW_HEADERS
    )
    return TrackingRequest(
        scope["method"],
        client[0] if client else "",
        scope.get("scheme", "http"),
        wanted_headers(pairs),
    )


def rsgi_request(scope: RsgiScope) -> TrackingRequest:
    """The tracking view of a granian RSGI scope (its header names are lower-case)."""
    peer = socket_address(scope.client)[0]
    return TrackingRequest(scope.method, peer, scope.scheme, wanted_headers(scope.headers.items()))


class HitIds:
    """Unique hit ids without a syscall per hit: a random 64-bit prefix drawn once per
    process (each server worker builds its own) followed by a 64-bit counter, in hex."""

    def __init__(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


def wanted_headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The request headers the gateway reads (a hit's, the host it was sent to, the trace
    context) out of lower-case (name, value) pairs, in one pass: the first of repeated ones,
    except the last X-Forwarded-Host line and X-Forwarded-For, whose repeated lines are joined
    as one list."""
    found: dict[str, str] = {}
    for name, value in pairs:
        if name in WANTED_HEADERS:
            if name not in found or name == "x-forwarded-host":
                found[name] = value
            elif name == "x-forwarded-for":
                found[name] += "," + value
    return found


def host_of_request(request: TrackingRequest, forwarded_host_from: Sequence[Network] = ()) -> str:
    """The lower-case hostname the request was sent to, without port or trailing dot (empty
    when absent): the Host header, or the right-most X-Forwarded-Host entry when the peer is
    in ``forwarded_host_from`` (the trusted proxies, if the deployment says they set it)."""
    headers = request.headers
    host = headers.get("host", "")
    forwarded = headers.get("x-forwarded-host", "") if forwarded_host_from else ""
    if forwarded and in_networks(request.peer, forwarded_host_from):
        host = forwarded.rsplit(",", 1)[-1]
    host = host.strip().lower()
    if host.startswith("["):  # IPv6 literal
        return host[: host.find("]") + 1]
    return host.partition(":")[0].rstrip(".")


def in_networks(address: str, networks: Sequence[Network]) -> bool | None:
    """Whether ``address`` is in one of ``networks``; None when it is no IP address."""
    parsed = _parsed_address(address)
    return None if parsed is None else any(parsed in network for network in networks)


@functools.lru_cache(maxsize=4096)
def _parsed_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, or None when it is none. Cached (bounded): parsing costs 2-8 µs, more
    than the rest of a hit's handling spends on it, and the same proxies (and many readers)
    come back with every request."""
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def trace_of_request() -> events_pb2.TraceContext | None:
    """The W3C trace context to carry, or None when no span is active (the common case: the
    gateway does not trace requests: with tracing off no span is ever started, so not even the
    current span is looked up), which spares the propagator call on the hot path."""
    if not tracing_enabled() or not trace.get_current_span().get_span_context().is_valid:
        return None
    return current_trace()


def client_ip(peer: str, forwarded_for: str, trusted_proxies: Sequence[Network]) -> str:
    """The peer address, or the right-most untrusted X-Forwarded-For entry when the peer
    (and each later hop) is a trusted proxy."""
    if not trusted_proxies:
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    candidate = peer
    for hop in [peer, *reversed(hops)]:
        candidate = hop
        if not in_networks(hop, trusted_proxies):  # not an address, or not a trusted proxy
            return hop
    return candidate


def build_hit(
    request: TrackingRequest,
    claims: events_pb2.TokenClaims,
    trusted_proxies: Sequence[Network],
    hit_id: str,
    *,
    one_click: bool = False,
) -> events_pb2.RawHit:
    """The hit of ``request``."""
    headers = request.headers
    hit = events_pb2.RawHit(
        hit_id=hit_id,
        claims=claims,
        http_method=request.method,
        user_agent=headers.get("user-agent", ""),
        client_ip=client_ip(request.peer, headers.get("x-forwarded-for", ""), trusted_proxies),
        accept_language=headers.get("accept-language", ""),
        referer=headers.get("referer", ""),
        one_click=one_click,
        trace=trace_of_request(),
    )
    received_at = hit.received_at  # Timestamp.FromNanoseconds, without its Python call
    received_at.seconds, received_at.nanos = divmod(time.time_ns(), NANOS_PER_SECOND)
    for name in FORWARDED_HEADERS:
        if name in headers:
            hit.headers[name] = headers[name]
    return hit


SPAN_NAMES = {
    events_pb2.HIT_KIND_OPEN: ("GET /o/{token}.gif", "/o/{token}.gif"),
    events_pb2.HIT_KIND_CLICK: ("GET /c/{token}", "/c/{token}"),
    events_pb2.HIT_KIND_UNSUBSCRIBE: ("POST /u/{token}", "/u/{token}"),
}


def request_span(
    request: TrackingRequest, kind: events_pb2.HitKind
) -> AbstractContextManager[object]:
    """The server span of a tracking request, continuing a trace the client sent in
    ``traceparent``; the hit built inside it carries its context. A no-op when tracing is off
    (like ``child_span``: the hot path pays one check)."""
    if not tracing_enabled():
        return NO_SPAN
    carrier = {name: request.headers[name] for name in TRACE_HEADERS if name in request.headers}
    name, route = SPAN_NAMES.get(kind, ("tracking request", ""))
    return get_tracer("gateway").start_as_current_span(
        name,
        context=propagate.extract(carrier),
        kind=SpanKind.SERVER,
        attributes={
            "http.request.method": request.method,
            "http.route": route,
            "url.scheme": request.scheme,
        },
    )
