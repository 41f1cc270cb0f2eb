"""CPU time the gateway's ASGI app spends per pixel and click request, measured in-process
(no server, no sockets, hits discarded). Process CPU time barely moves when other programs
share the machine, unlike requests/s, so this figure compares code versions reliably."""

from __future__ import annotations

import asyncio
import base64
import os
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from emailtrack.common.config import KafkaSettings
from emailtrack.common.tokens import TokenKeys, sign
from emailtrack.v1 import events_pb2
from gateway.config import HIT_LIMIT_PER_IP, GatewaySettings
from gateway.tracking.app import build_app

BROWSER_HEADERS = [
    (b"host", b"127.0.0.1:8080"),
    (b"user-agent", b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"),
    (b"accept", b"image/avif,image/webp,*/*"),
    (b"accept-language", b"en-US,en;q=0.9"),
    (b"accept-encoding", b"gzip, deflate, br"),
]


class DiscardingSink:
    def start(self) -> None: ...
    def close(self) -> None: ...
    def connected(self) -> bool:
        return True

    def submit(self, hit: events_pb2.RawHit) -> bool:
        return True


def _scope(path: str, client_ip: str = "127.0.0.1") -> dict[str, object]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": BROWSER_HEADERS,
        "client": (client_ip, 50000),
    }


async def _drive(app: object, scopes: Sequence[dict[str, object]], count: int) -> None:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        return None

    for i in range(count):
        await app(scopes[i % len(scopes)], receive, send)  # type: ignore[operator]  # the ASGI app build_app returns


def handler_cost_us(
    requests: int = 30_000, hit_limit_per_ip: int = HIT_LIMIT_PER_IP
) -> dict[str, float]:
    """Microseconds of CPU per request, for the pixel and the click route; 200 tokens from
    200 client addresses (each sends more than the per-IP limit over a run, so the marking
    path runs too); ``hit_limit_per_ip`` 0 turns the limiter off."""
    keys = TokenKeys.parse("bench:" + base64.urlsafe_b64encode(os.urandom(32)).decode())
    settings = GatewaySettings(
        http_port=0,
        http_workers=1,
        bind_host="127.0.0.1",
        kafka=KafkaSettings("127.0.0.1:1", 2000),
        token_keys=keys,
        trusted_proxies=(),
        max_buffered_hits=1,
        flush_interval_ms=1,
        max_batch_hits=1,
        hit_limit_per_ip=hit_limit_per_ip,
    )
    app = build_app(settings, DiscardingSink())
    costs = {}
    for route, kind, prefix, suffix in (
        ("pixel", events_pb2.HIT_KIND_OPEN, "/o/", ".gif"),
        ("click", events_pb2.HIT_KIND_CLICK, "/c/", ""),
    ):
        scopes = []
        for i in range(200):
            claims = events_pb2.TokenClaims(
                tenant_id="t", campaign_id="c", message_id=f"m{i}", recipient_id=f"r{i}", kind=kind
            )
            claims.link_url = f"https://example.com/landing?i={i}"
            claims.sent_at.FromDatetime(datetime.now(UTC))
            scopes.append(_scope(f"{prefix}{sign(claims, keys)}{suffix}", f"198.51.{i}.7"))
        asyncio.run(_drive(app, scopes, 2_000))
        started = time.process_time()
        asyncio.run(_drive(app, scopes, requests))
        costs[route] = (time.process_time() - started) / requests * 1e6
    return costs


def main(rounds: int = 5) -> None:
    """The handler's cost with the per-IP hit limiter against the same run without it:
    alternating rounds (so both see the same machine load), medians printed."""
    costs: dict[str, dict[str, list[float]]] = {"with": {}, "without": {}}
    for _ in range(rounds):
        for name, limit in (("without", 0), ("with", HIT_LIMIT_PER_IP)):
            for route, cost in handler_cost_us(10_000, hit_limit_per_ip=limit).items():
                costs[name].setdefault(route, []).append(cost)
    for route in costs["with"]:
        limited = statistics.median(costs["with"][route])
        reference = statistics.median(costs["without"][route])
        print(
            f"{route}: {limited:.2f} us with the per-IP limit ({HIT_LIMIT_PER_IP}/min), "
            f"{reference:.2f} us without (same-run reference), ratio {limited / reference:.3f} "
            f"(medians of {rounds} alternating rounds)"
        )


if __name__ == "__main__":
    main()
