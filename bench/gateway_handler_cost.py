"""CPU time the gateway's ASGI app spends per pixel and click request, measured in-process
(no server, no sockets, hits discarded). Process CPU time barely moves when other programs
share the machine, unlike requests/s, so this figure compares code versions reliably.

Each measurement runs in a child process with prometheus_client in multiprocess mode, as in a
gateway worker (the mode is chosen when prometheus_client is imported).

    python bench/gateway_handler_cost.py                  # with the per-IP limit vs without
    python bench/gateway_handler_cost.py --reference-tree /tmp/gw-before
                                  # this tree vs another checkout (e.g. `git archive main`)
    python bench/gateway_handler_cost.py --pause-us 500 --reference-tree /tmp/gw-before

``--pause-us``: the event loop sleeps that long before each request and only the requests'
own thread CPU is counted: each request then runs with cold caches, as in a paced server
(one request per wake-up), where the same code costs 3-4x its back-to-back figure.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

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


async def _drive(
    app: object, scopes: Sequence[dict[str, object]], count: int, pause_s: float = 0.0
) -> float:
    """Serves ``count`` requests; returns the thread CPU seconds they took (with
    ``pause_s``, the sleep before each request is not counted)."""

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        return None

    cpu_ns = 0
    started = time.thread_time_ns()
    for i in range(count):
        if pause_s:
            await asyncio.sleep(pause_s)
            started = time.thread_time_ns()
        await app(scopes[i % len(scopes)], receive, send)  # type: ignore[operator]  # the ASGI app build_app returns
        if pause_s:
            cpu_ns += time.thread_time_ns() - started
    return (cpu_ns if pause_s else time.thread_time_ns() - started) / 1e9


def handler_cost_us(
    requests: int = 30_000, hit_limit_per_ip: int = HIT_LIMIT_PER_IP, pause_us: int = 0
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
            claims.tracking_host = "127.0.0.1"  # tokens name their host: the deployment's own
            claims.sent_at.FromDatetime(datetime.now(UTC))
            scopes.append(_scope(f"{prefix}{sign(claims, keys)}{suffix}", f"198.51.{i}.7"))
        asyncio.run(_drive(app, scopes, 2_000))
        cpu_s = asyncio.run(_drive(app, scopes, requests, pause_us / 1e6))
        costs[route] = cpu_s / requests * 1e6
    return costs


ROOT = Path(__file__).resolve().parent.parent


def measured_in_worker_mode(
    tree: Path = ROOT,
    requests: int = 30_000,
    hit_limit_per_ip: int = HIT_LIMIT_PER_IP,
    pause_us: int = 0,
) -> dict[str, float]:
    """``handler_cost_us`` of the code in ``tree``, in a child process whose prometheus_client
    is in multiprocess mode (as in a gateway worker)."""
    with tempfile.TemporaryDirectory(prefix="gateway-cost-metrics-") as metrics_dir:
        env = {**os.environ, "PYTHONPATH": str(tree), "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
        command = [sys.executable, __file__, "--measure", str(requests), str(hit_limit_per_ip)]
        command += ["--pause-us", str(pause_us)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def main() -> None:
    """Alternating rounds (so both sides see the same machine load), medians printed: this
    tree against ``--reference-tree``, or, without one, the per-IP hit limiter against none."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10_000, help="per route and round")
    parser.add_argument("--reference-tree", type=Path, help="another checkout to compare with")
    parser.add_argument(
        "--pause-us", type=int, default=0, help="idle time before each request (cold caches)"
    )
    parser.add_argument("--measure", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # the child process of measured_in_worker_mode
        requests, limit = args.measure
        print(json.dumps(handler_cost_us(requests, hit_limit_per_ip=limit, pause_us=args.pause_us)))
        return
    if args.reference_tree:
        sides = {
            "this tree": (ROOT, HIT_LIMIT_PER_IP),
            "reference": (args.reference_tree, HIT_LIMIT_PER_IP),
        }
    else:
        sides = {"with the per-IP limit": (ROOT, HIT_LIMIT_PER_IP), "reference": (ROOT, 0)}
    costs: dict[str, dict[str, list[float]]] = {name: {} for name in sides}
    for _ in range(args.rounds):
        for name, (tree, limit) in sides.items():
            side_costs = measured_in_worker_mode(tree, args.requests, limit, args.pause_us)
            for route, cost in side_costs.items():
                costs[name].setdefault(route, []).append(cost)
    measured, reference = costs
    for route in costs[measured]:
        cost = statistics.median(costs[measured][route])
        ref = statistics.median(costs[reference][route])
        print(
            f"{route}: {measured} {cost:.2f} us, {reference} {ref:.2f} us (same run), "
            f"ratio {cost / ref:.3f} (medians of {args.rounds} alternating rounds, "
            f"pause {args.pause_us} µs before each request)"
        )


if __name__ == "__main__":
    main()
