"""Turning an HTTP request and its verified token claims into a RawHit."""

from __future__ import annotations

import ipaddress
import time
import uuid
from collections.abc import Sequence

from starlette.requests import Request

from emailtrack.common.kafka_io import current_trace
from emailtrack.v1 import events_pb2
from gateway.config import Network

FORWARDED_HEADERS = ("via", "from", "x-forwarded-proto", "sec-fetch-mode", "sec-fetch-site")


def client_ip(request: Request, trusted_proxies: Sequence[Network]) -> str:
    """The peer address, or the right-most untrusted X-Forwarded-For entry when the peer
    (and each later hop) is a trusted proxy."""
    peer = request.client.host if request.client else ""
    if not trusted_proxies:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    candidate = peer
    for hop in [peer, *reversed(hops)]:
        candidate = hop
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return hop
        if not any(address in net for net in trusted_proxies):
            return hop
    return candidate


def build_hit(
    request: Request,
    claims: events_pb2.TokenClaims,
    trusted_proxies: Sequence[Network],
    *,
    one_click: bool = False,
) -> events_pb2.RawHit:
    headers = request.headers
    hit = events_pb2.RawHit(
        hit_id=str(uuid.uuid4()),
        claims=claims,
        http_method=request.method,
        user_agent=headers.get("user-agent", ""),
        client_ip=client_ip(request, trusted_proxies),
        accept_language=headers.get("accept-language", ""),
        referer=headers.get("referer", ""),
        one_click=one_click,
        trace=current_trace(),
    )
    hit.received_at.FromNanoseconds(time.time_ns())
    for name in FORWARDED_HEADERS:
        if name in headers:
            hit.headers[name] = headers[name]
    return hit
