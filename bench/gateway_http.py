"""Gateway HTTP benchmark: pixel and click throughput against an nginx static-GIF reference
measured in the same run, and a check that every hit the gateway answered reached Kafka.

    python bench/gateway_http.py                       # -t2 -d10s at -c64 and -c256
    python bench/gateway_http.py --duration 5 --connections 64 --profile /tmp/gw-prof
    python bench/gateway_http.py --interface asgi      # the gateway through granian's ASGI

Starts a tansu broker, nginx (2 workers), the empty Python apps of ``empty_gif_app.py`` on
granian (2 workers; the ceiling of any Python gateway) and ``python -m gateway`` (2 workers,
through the granian interface ``--interface`` names), all on 127.0.0.1 and free ports; wrk
rotates through thousands of distinct, validly signed tokens.
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from gateway_handler_cost import measured_in_worker_mode
from gateway_servers import (
    INSTALL_HINT,
    EmptyPythonApp,
    GatewayProcess,
    Nginx,
    WrkResult,
    missing_tools,
    run_wrk,
)
from kafka import KafkaConsumer, TopicPartition

from emailtrack.common import tracking_urls
from emailtrack.common.config import KafkaSettings
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.tokens import TokenKeys, sign
from emailtrack.common.topics import RAW_HITS
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port
from emailtrack.v1 import events_pb2
from gateway.config import HTTP_INTERFACES

BASE_URL = "http://127.0.0.1"
WARMUP_S = 2
NGINX = "nginx GIF"
EMPTY_ASGI = "empty ASGI app"


@dataclass(frozen=True)
class Run:
    """One measured wrk run; ``campaign`` tags the hits it produced ("" for nginx)."""

    target: str
    connections: int
    campaign: str
    result: WrkResult


def token_paths(keys: TokenKeys, kind: events_pb2.HitKind, campaign: str, count: int) -> list[str]:
    """Request paths with ``count`` distinct signed tokens of one campaign."""
    now = datetime.now(UTC)
    paths = []
    for i in range(count):
        claims = events_pb2.TokenClaims(
            tenant_id="bench-tenant",
            campaign_id=campaign,
            message_id=f"{campaign}-m{i}",
            recipient_id=f"r{i}",
            kind=kind,
            tracking_host="127.0.0.1",  # the gateway's own host (EMAILTRACK_PUBLIC_BASE_URL)
            link_url=f"https://example.com/landing?i={i}"
            if kind == events_pb2.HIT_KIND_CLICK
            else "",
        )
        claims.sent_at.FromDatetime(now)
        token = sign(claims, keys)
        url = (
            tracking_urls.pixel_url(BASE_URL, token)
            if kind == events_pb2.HIT_KIND_OPEN
            else tracking_urls.click_url(BASE_URL, token)
        )
        paths.append(url.removeprefix(BASE_URL))
    return paths


def count_hits(bootstrap: str, timeout_s: float = 120.0) -> tuple[Counter[str], int]:
    """Reads the whole raw-hits topic: hits per campaign, and the number of distinct hit ids."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(RAW_HITS, p) for p in consumer.partitions_for_topic(RAW_HITS)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        per_campaign: Counter[str] = Counter()
        hit_ids: set[str] = set()
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise TimeoutError("could not read the raw-hits topic to its end")
            for records in consumer.poll(timeout_ms=1000).values():
                for record in records:
                    for hit in events_pb2.RawHitBatch.FromString(record.value).hits:
                        per_campaign[hit.claims.campaign_id] += 1
                        hit_ids.add(hit.hit_id)
        return per_campaign, len(hit_ids)
    finally:
        consumer.close()


@contextmanager
def profiling(gateway: GatewayProcess, out_dir: Path | None, duration_s: int) -> Iterator[None]:
    """Samples each gateway worker with py-spy while the block runs (folded stacks, for
    flamegraph.pl or speedscope)."""
    if out_dir is None:
        yield
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    py_spy = os.path.join(os.path.dirname(sys.executable), "py-spy")
    options = ["--duration", str(duration_s), "--nonblocking", "--format", "raw"]
    spies = [
        subprocess.Popen(
            [
                py_spy,
                "record",
                "--pid",
                str(pid),
                *options,
                "-o",
                str(out_dir / f"worker-{pid}.folded"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in gateway.worker_pids()
    ]
    try:
        yield
    finally:
        for spy in spies:
            spy.wait(timeout=60)
        print(f"profiles written to {out_dir}")


@dataclass(frozen=True)
class Target:
    name: str
    port: int
    kind: int
    is_gateway: bool


def run_target(
    args: argparse.Namespace,
    work: Path,
    keys: TokenKeys,
    target: Target,
    connections: int,
    gateway: GatewayProcess,
    sent: dict[str, int],
) -> Run:
    """A warm-up run, then the measured run (each on its own campaign's tokens)."""
    label = f"{target.name.replace(' ', '-')}-c{connections}"
    campaign = label if target.is_gateway else ""
    url = f"{BASE_URL}:{target.port}"
    wrk = {"threads": args.threads, "connections": connections}
    warm_paths = work / f"{label}-warmup.paths"
    warm_paths.write_text(
        "\n".join(token_paths(keys, cast(events_pb2.HitKind, target.kind), "warmup-" + label, 200))
    )
    warm = run_wrk(url, warm_paths, duration_s=WARMUP_S, **wrk)
    paths = work / f"{label}.paths"
    paths.write_text(
        "\n".join(token_paths(keys, cast(events_pb2.HitKind, target.kind), campaign, args.tokens))
    )
    profile = target.is_gateway and target.kind == events_pb2.HIT_KIND_OPEN
    with profiling(gateway, args.profile if profile else None, args.duration):
        result = run_wrk(url, paths, duration_s=args.duration, **wrk)
    if target.is_gateway:
        sent["warmup-" + label] = warm.requests
        sent[campaign] = result.requests
    print(f"  {target.name:<14} -c{connections:<4} {result.rate:>9,.0f} req/s", flush=True)
    return Run(target.name, connections, campaign, result)


def measure(
    args: argparse.Namespace, work: Path, bootstrap: str
) -> tuple[list[Run], dict[str, int]]:
    """Starts nginx and the gateway, runs wrk on each target and concurrency, stops both.
    Returns the runs and the wrk request count of every campaign (warm-ups included)."""
    keys_spec = "bench:" + base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    keys = TokenKeys.parse(keys_spec)
    nginx = Nginx(work / "nginx", free_port())
    port = free_port()
    env = {
        "EMAILTRACK_TOKEN_KEYS": keys_spec,
        "EMAILTRACK_HTTP_WORKERS": "2",
        "EMAILTRACK_HTTP_PORT": str(port),
        "EMAILTRACK_BIND_HOST": "127.0.0.1",
        "EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "EMAILTRACK_LOG_FORMAT": "text",
        "EMAILTRACK_GATEWAY_INTERFACE": args.interface,
    }
    gateway = GatewayProcess(env, port, work / "gateway.log")
    empty_apps = {
        interface: EmptyPythonApp(interface, free_port(), work / f"empty-{interface}.log")
        for interface in ("asgi", "rsgi")
    }
    open_kind = events_pb2.HIT_KIND_OPEN
    targets = [
        Target(NGINX, nginx.port, open_kind, is_gateway=False),
        Target("empty RSGI app", empty_apps["rsgi"].port, open_kind, is_gateway=False),
        Target(EMPTY_ASGI, empty_apps["asgi"].port, open_kind, is_gateway=False),
        Target("gateway pixel", port, events_pb2.HIT_KIND_OPEN, is_gateway=True),
        Target("gateway click", port, events_pb2.HIT_KIND_CLICK, is_gateway=True),
    ]
    runs: list[Run] = []
    sent: dict[str, int] = {}
    try:
        nginx.start()
        for app in empty_apps.values():
            app.start()
        gateway.start()
        for connections in args.connections:
            for target in targets:
                runs.append(run_target(args, work, keys, target, connections, gateway, sent))
    finally:
        gateway.stop()
        for app in empty_apps.values():
            app.stop()
        nginx.stop()
    return runs, sent


def ratio(rate: float, reference: float | None) -> float:
    return rate / reference if reference else 0.0


def report(runs: list[Run], sent: dict[str, int], hits: Counter[str], distinct_ids: int) -> bool:
    """Prints the figures; returns False if any hit was lost or any response was wrong."""
    ok = True
    print(
        f"\n{'target':<16}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'vs nginx':>10}{'vs empty ASGI':>15}"
    )
    nginx = {r.connections: r.result.rate for r in runs if r.target == NGINX}
    empty = {r.connections: r.result.rate for r in runs if r.target == EMPTY_ASGI}
    for run in runs:
        r = run.result
        print(
            f"{run.target:<16}{run.connections:>6}{r.rate:>10,.0f}{r.p50_ms:>9.2f}"
            f"{r.p99_ms:>9.2f}{ratio(r.rate, nginx.get(run.connections)):>10.2f}"
            f"{ratio(r.rate, empty.get(run.connections)):>15.2f}"
        )
        if r.bad_status or r.socket_errors:
            ok = False
            print(f"  !! {r.bad_status} non-2xx/3xx responses, {r.socket_errors} socket errors")
    print(f"\n{'campaign':<26}{'wrk requests':>14}{'hits in Kafka':>15}{'difference':>12}")
    for campaign, requests in sent.items():
        produced = hits.get(campaign, 0)
        print(f"{campaign:<26}{requests:>14,}{produced:>15,}{produced - requests:>+12,}")
        if produced < requests:
            ok = False
    total_hits = sum(hits.values())
    print(f"\nhits in Kafka: {total_hits:,}; distinct hit ids: {distinct_ids:,}")
    print(
        "A positive difference is requests the gateway answered after wrk stopped counting\n"
        "(at most one per connection); a negative one would be lost hits."
    )
    if distinct_ids != total_hits:
        ok = False
        print("!! hit ids are not unique")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--connections", type=int, nargs="+", default=[64, 256], help="wrk connections"
    )
    parser.add_argument("--tokens", type=int, default=2000, help="distinct tokens per run")
    parser.add_argument(
        "--interface", choices=HTTP_INTERFACES, default="rsgi", help="granian's, for the gateway"
    )
    parser.add_argument(
        "--profile", type=Path, help="write py-spy folded stacks of the pixel runs here"
    )
    args = parser.parse_args()
    missing = missing_tools()
    if missing:
        print(f"missing tools: {', '.join(missing)}; install them with:\n  {INSTALL_HINT}")
        return 2
    costs = measured_in_worker_mode()
    print(
        "handler CPU per request, in-process: "
        + ", ".join(f"{k} {v:.1f} us" for k, v in costs.items())
    )
    with tempfile.TemporaryDirectory(prefix="emailtrack-bench-gw-") as tmp:
        work = Path(tmp)
        print(f"cores: {os.cpu_count()}; wrk -t{args.threads} -d{args.duration}s", end="")
        print(f" after a {WARMUP_S}s warm-up on other tokens")
        broker = TansuBroker(free_port(), work / "broker.log")
        broker.start()
        try:
            ensure_topics(KafkaSettings(broker.bootstrap_servers, 2000))
            runs, sent = measure(args, work, broker.bootstrap_servers)
            hits, distinct_ids = count_hits(broker.bootstrap_servers)
        finally:
            broker.stop()
        return 0 if report(runs, sent, hits, distinct_ids) else 1


if __name__ == "__main__":
    sys.exit(main())
