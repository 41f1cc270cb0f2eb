"""Where a gateway worker's CPU goes, thread by thread, under paced load: the gateway
(``python -m gateway``, this tree, 2 workers) against a tansu broker, paced by wrk, with the
empty ASGI app of ``empty_gif_app.py`` measured the same way as the reference. Each thread of
one worker is named (py-spy names the Python threads; granian's Rust threads keep their
``comm``) with its user and system CPU per request that worker answered.

    python bench/gateway_threads.py --rate 4000
    python bench/gateway_threads.py --rate 4000 --env EMAILTRACK_GATEWAY_FLUSH_INTERVAL_MS=100

Per-thread CPU comes from ``/proc/<pid>/task/<tid>/stat``: unlike a sampling profile it
counts native time (granian, the kernel) exactly; requests are split evenly between the two
workers (granian's accept is balanced enough at a paced rate).
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from e2e_profile import py_spy
from gateway_http import token_paths
from gateway_servers import EmptyPythonApp, GatewayProcess, gateway_env, run_wrk

from emailtrack.common.config import KafkaSettings
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.tokens import TokenKeys
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port
from emailtrack.v1 import events_pb2

PY_SPY_THREAD = re.compile(r'^Thread (\d+) \(\w+\)(?:: "(.*)")?')
TICKS = os.sysconf("SC_CLK_TCK")


def thread_ticks(pid: int) -> dict[int, tuple[str, int, int]]:
    """Per thread of ``pid``: (comm, user ticks, system ticks)."""
    threads: dict[int, tuple[str, int, int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            comm = (task / "comm").read_text().strip()
        except OSError:  # ended meanwhile
            continue
        threads[int(task.name)] = (comm, int(fields[11]), int(fields[12]))
    return threads


def python_thread_names(pid: int) -> dict[int, str]:
    """The Python threads' names by native id, from ``py-spy dump``."""
    tool = py_spy()
    if tool is None:
        return {}
    dump = subprocess.run([tool, "dump", "--pid", str(pid)], capture_output=True, text=True)
    names: dict[int, str] = {}
    for line in dump.stdout.splitlines():
        if match := PY_SPY_THREAD.match(line):
            names[int(match[1])] = match[2] or "(unnamed Python thread)"
    return names


def worker_pid(parent: int) -> int:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return int(children[0])


def measure(name: str, parent: int, url: str, paths: Path, args: argparse.Namespace) -> None:
    rate = args.rate / 2  # per wrk thread
    run_wrk(url, paths, threads=2, connections=args.connections, duration_s=2, thread_rate=rate)
    pid = worker_pid(parent)
    before = thread_ticks(pid)
    result = run_wrk(
        url,
        paths,
        threads=2,
        connections=args.connections,
        duration_s=args.duration,
        thread_rate=rate,
    )
    after = thread_ticks(pid)
    names = python_thread_names(pid)
    per_worker = result.requests / 2
    print(f"\n{name}: {result.rate:,.0f} req/s, load average {os.getloadavg()[0]:.1f}")
    print(f"  {'thread':<32}{'user µs/req':>12}{'sys µs/req':>12}")
    total = 0.0
    for tid, (comm, user, system) in sorted(after.items()):
        _, user_before, system_before = before.get(tid, (comm, 0, 0))
        user_us = (user - user_before) / TICKS / per_worker * 1e6
        system_us = (system - system_before) / TICKS / per_worker * 1e6
        total += user_us + system_us
        label = names.get(tid, comm) + (" (main)" if tid == pid else "")
        if user_us + system_us > 0:
            print(f"  {label:<32}{user_us:>12.1f}{system_us:>12.1f}")
    print(f"  {'worker total':<32}{total:>24.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=4000, help="requests/s over both workers")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the gateway")
    args = parser.parse_args()
    keys_spec = "bench:" + base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    keys = TokenKeys.parse(keys_spec)
    with tempfile.TemporaryDirectory(prefix="emailtrack-bench-gw-threads-") as tmp:
        work = Path(tmp)
        paths = work / "pixels"
        paths.write_text("\n".join(token_paths(keys, events_pb2.HIT_KIND_OPEN, "threads", 4000)))
        empty = EmptyPythonApp("asgi", free_port(), work / "empty.log")
        empty.start()
        try:
            assert empty.process is not None
            url = f"http://127.0.0.1:{empty.port}"
            measure("empty ASGI app", empty.process.pid, url, paths, args)
        finally:
            empty.stop()
        broker = TansuBroker(free_port(), work / "broker.log")
        broker.start()
        try:
            ensure_topics(KafkaSettings(broker.bootstrap_servers, 2000))
            port, folder = free_port(), work / "gateway"
            env = {
                **gateway_env(keys_spec, port, broker.bootstrap_servers, folder),
                **dict(item.split("=", 1) for item in args.env),
            }
            gateway = GatewayProcess(env, port, folder / "server.log")
            gateway.start()
            try:
                assert gateway.process is not None
                url = f"http://127.0.0.1:{port}"
                label = " ".join(["gateway", *args.env])
                measure(label, gateway.process.pid, url, paths, args)
            finally:
                gateway.stop()
        finally:
            broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
