"""The floor of issue 22's pipeline: what the platform's parts cost when they do nothing but
move a hit from HTTP to a PostgreSQL row, measured the way bench/e2e.py measures the platform.

    python bench/e2e_floor.py                         # 3,000, 6,000 and 10,000/s, 15 s each
    python bench/e2e_floor.py --rates 3000 --duration 10

bench/floor_pipeline.py holds the stages: an ASGI app on granian answering the GIF and
sending the gathered hits to Kafka every 50 ms (the gateway's floor), a kafka-python consumer
forwarding each polled batch as one record (the tracking edge's), and a consumer COPYing the
events into PostgreSQL idempotently (analytics'); the same broker (tansu) and the same
embedded PostgreSQL as the platform, the same topic partitions, wrk paced the same way. Per
rate it prints the CPU µs per event of each process tree (psutil, as bench/e2e.py) and how
long the pipeline took to store the last event after wrk stopped. An empty ASGI app on
granian (no Kafka) at the same paced rates is the same-run reference of the HTTP part alone.
Whatever the platform spends above these figures is its own work (tokens, classification,
history, rollups); these figures are what no change to that work can remove.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from e2e_measure import ResourceSampler
from floor_pipeline import EVENTS_TOPIC, HITS_TOPIC, TABLE
from gateway_servers import (
    BENCH_DIR,
    INSTALL_HINT,
    REPO_ROOT,
    EmptyPythonApp,
    GranianApp,
    WrkResult,
    missing_tools,
    run_wrk,
)

from emailtrack.common.config import KafkaSettings
from emailtrack.common.db import ensure_database
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port
from emailtrack.platform.postgres import EmbeddedPostgres

STAGES = ("gateway", "forward", "sink", "broker", "postgres")


def stored(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM floor_events").fetchone()
    return int(row[0]) if row else 0


def role(name: str, bootstrap: str, *extra: str, log: Path) -> subprocess.Popen[bytes]:
    env_path = f"{BENCH_DIR}:{REPO_ROOT}"
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, str(BENCH_DIR / "floor_pipeline.py"), name, bootstrap, *extra],
            env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def paced_wrk(url: str, paths: Path, rate: int, args: argparse.Namespace) -> WrkResult:
    """wrk at ``rate`` requests/s in all, split over its threads, for ``--duration``."""
    return run_wrk(
        url,
        paths,
        threads=args.threads,
        connections=args.connections,
        duration_s=args.duration,
        thread_rate=rate / args.threads,
    )


def pipeline_phase(
    roots: dict[str, int],
    url: str,
    database_url: str,
    paths: Path,
    rate: int,
    args: argparse.Namespace,
) -> str:
    before = stored(database_url)
    with ResourceSampler(roots) as sampler:
        result = paced_wrk(url, paths, rate, args)
        sent_at = time.monotonic()
        expected = before + result.requests
        while (count := stored(database_url)) < expected and time.monotonic() - sent_at < 60:
            time.sleep(0.05)
        tail_s = time.monotonic() - sent_at
    events = count - before
    cells = [f"{sampler.usage[s].cpu_s / max(events, 1) * 1e6:.0f}" for s in STAGES]
    total = sum(u.cpu_s for u in sampler.usage.values()) / max(events, 1) * 1e6
    return (
        f"| {rate:,} | {result.rate:,.0f} | {events:,}/{result.requests:,} | {tail_s:.2f} | "
        f"{result.p99_ms:.1f} | " + " | ".join(cells) + f" | **{total:.0f}** |"
    )


def empty_phase(pid: int, url: str, paths: Path, rate: int, args: argparse.Namespace) -> str:
    with ResourceSampler({"empty": pid}) as sampler:
        result = paced_wrk(url, paths, rate, args)
    per_request = sampler.usage["empty"].cpu_s / max(result.requests, 1) * 1e6
    return f"| {rate:,} | {result.rate:,.0f} | {result.p99_ms:.1f} | {per_request:.0f} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rates", type=lambda t: [int(r) for r in t.split(",")], default=[3000, 6000, 10000]
    )
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if missing := missing_tools():
        print(f"missing {', '.join(missing)}: {INSTALL_HINT}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="e2e-floor-") as tmp:
        directory = Path(tmp)
        paths = directory / "hits.paths"
        paths.write_text("".join(f"/o/{n:05d}.gif\n" for n in range(10_000)))
        postgres = EmbeddedPostgres(directory / "pg" / "data", free_port())
        broker = TansuBroker(free_port(), directory / "broker.log")
        postgres.start()
        broker.start()
        processes: list[subprocess.Popen[bytes]] = []
        apps: list[GranianApp] = []
        try:
            database_url = postgres.database_url("floor")
            ensure_database(database_url)
            plain_url = database_url.replace("+psycopg", "")
            with psycopg.connect(plain_url) as conn:
                conn.execute(TABLE)
            ensure_topics(KafkaSettings(broker.bootstrap_servers, 6000), [HITS_TOPIC, EVENTS_TOPIC])
            bootstrap = broker.bootstrap_servers
            log = directory / "roles.log"
            processes += [
                role("forward", bootstrap, log=log),
                role("sink", bootstrap, plain_url, log=log),
            ]
            floor = GranianApp(
                "floor_pipeline:gateway",
                "asgi",
                free_port(),
                log,
                factory=True,
                env={"FLOOR_BOOTSTRAP": bootstrap},
            )
            empty = EmptyPythonApp("asgi", free_port(), directory / "empty.log")
            apps += [floor, empty]
            floor.start()
            empty.start()
            time.sleep(3)  # consumers joined their groups
            assert floor.process and empty.process and postgres.process and broker.process
            pids = (
                floor.process.pid,
                processes[0].pid,
                processes[1].pid,
                broker.process.pid,
                postgres.process.pid,
            )
            roots = dict(zip(STAGES, pids, strict=True))
            floor_url = f"http://127.0.0.1:{floor.port}"
            warm_up = run_wrk(
                floor_url,
                paths,
                threads=args.threads,
                connections=args.connections,
                duration_s=3,
                thread_rate=500,
            )
            deadline = time.monotonic() + 60
            while stored(plain_url) < warm_up.requests and time.monotonic() < deadline:
                time.sleep(0.1)
            print("Floor pipeline: CPU µs per stored event\n")
            print(
                "| offered/s | sent/s | stored/sent | tail s | HTTP p99 ms | "
                + " | ".join(STAGES)
                + " | total |"
            )
            print("|" + "---:|" * (6 + len(STAGES)))
            for rate in args.rates:
                print(pipeline_phase(roots, floor_url, plain_url, paths, rate, args), flush=True)
            print("\nEmpty ASGI app on granian (same run, no Kafka): CPU µs per request\n")
            print("| offered/s | served/s | HTTP p99 ms | µs per request |\n|---:|---:|---:|---:|")
            for rate in args.rates:
                print(
                    empty_phase(
                        empty.process.pid, f"http://127.0.0.1:{empty.port}", paths, rate, args
                    ),
                    flush=True,
                )
        finally:
            for app in apps:
                app.stop()
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
            broker.stop()
            postgres.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
