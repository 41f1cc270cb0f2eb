"""Server CPU per pixel request, same run: the gateway (``python -m gateway``) served through
granian's ASGI and through its RSGI interface (``EMAILTRACK_GATEWAY_INTERFACE``), with
``--reference-tree`` the gateway of another checkout (before/after, served as that checkout
serves it), and the empty ASGI and RSGI apps of ``empty_gif_app.py``.

    python bench/gateway_server_cpu.py            # 3 alternating rounds, wrk -t2 -c64 -d8s
    python bench/gateway_server_cpu.py --reference-tree /tmp/gw-before  # e.g. `git archive main`
    python bench/gateway_server_cpu.py --rate 4000  # paced, as in production and bench/e2e.py

CPU per request is the servers' process-tree CPU time (granian's parent and workers) over
the requests wrk completed: unlike requests/s, it moves little when other programs share the
machine (it still grows when a server gets few requests per wake-up). Every hit any gateway
answered is then looked for in Kafka.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gateway_http import count_hits, token_paths
from gateway_servers import (
    INSTALL_HINT,
    EmptyPythonApp,
    GatewayProcess,
    GranianApp,
    gateway_env,
    missing_tools,
    run_wrk,
    tree_cpu_s,
    wait_ready,
)

from emailtrack.common.config import KafkaSettings
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.tokens import TokenKeys
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port
from emailtrack.v1 import events_pb2

EMPTY_ASGI = "empty ASGI app"
GATEWAY_ASGI = "gateway ASGI"
REFERENCE = "gateway reference"


@dataclass
class Server:
    name: str
    port: int
    process: GranianApp | GatewayProcess
    records_hits: bool

    def pid(self) -> int:
        assert self.process.process is not None
        return self.process.process.pid


def measure_round(
    servers: list[Server], keys: TokenKeys, work: Path, args: argparse.Namespace, round_no: int
) -> tuple[dict[str, tuple[float, float]], dict[str, int]]:
    """Per server: (requests/s, CPU µs per request); and wrk's count per campaign. Each
    round starts one server later in the list (on a loaded machine the position in a round
    moves a server's figure by up to 20 %, so no server keeps the same one)."""
    figures: dict[str, tuple[float, float]] = {}
    sent: dict[str, int] = {}
    shift = round_no % len(servers)
    for server in servers[shift:] + servers[:shift]:
        label = f"{server.name.replace(' ', '-')}-r{round_no}"
        paths = work / f"{label}.paths"
        paths.write_text("\n".join(token_paths(keys, events_pb2.HIT_KIND_OPEN, label, args.tokens)))
        url = f"http://127.0.0.1:{server.port}"
        wrk = {"threads": 2, "connections": args.connections, "thread_rate": args.rate / 2}
        warm = run_wrk(url, paths, duration_s=1, **wrk)
        before = tree_cpu_s(server.pid())
        result = run_wrk(url, paths, duration_s=args.duration, **wrk)
        cpu_us = (tree_cpu_s(server.pid()) - before) / max(result.requests, 1) * 1e6
        if result.bad_status or result.socket_errors:
            raise RuntimeError(f"{server.name}: {result.bad_status} bad responses")
        if server.records_hits:
            sent[label] = warm.requests + result.requests
        figures[server.name] = (result.rate, cpu_us)
        print(f"  {server.name:<22} {result.rate:>9,.0f} req/s {cpu_us:>7.1f} µs CPU/request")
    return figures, sent


def start_servers(
    work: Path, keys_spec: str, bootstrap: str, reference: Path | None
) -> list[Server]:
    """The two empty apps, the gateway through each interface (and the reference tree's),
    each on its own port, spool and metrics folder."""
    servers: list[Server] = []
    for interface in ("asgi", "rsgi"):
        port = free_port()
        app = EmptyPythonApp(interface, port, work / f"empty-{interface}.log")
        servers.append(Server(f"empty {interface.upper()} app", port, app, records_hits=False))
    starters: dict[str, Callable[[dict[str, str], int, Path], GatewayProcess]] = {
        GATEWAY_ASGI: lambda env, port, log: GatewayProcess(
            {**env, "EMAILTRACK_GATEWAY_INTERFACE": "asgi"}, port, log
        ),
    }
    if reference is not None:
        starters[REFERENCE] = lambda env, port, log: GatewayProcess(env, port, log, tree=reference)
    starters["gateway RSGI"] = lambda env, port, log: GatewayProcess(
        {**env, "EMAILTRACK_GATEWAY_INTERFACE": "rsgi"}, port, log
    )
    for name, starter in starters.items():
        port, folder = free_port(), work / name.replace(" ", "-")
        env = gateway_env(keys_spec, port, bootstrap, folder)
        servers.append(Server(name, port, starter(env, port, folder / "server.log"), True))
    for server in servers:
        server.process.start()
    wait_ready(servers[-1].port, 60)
    return servers


def report(rounds: list[dict[str, tuple[float, float]]]) -> None:
    print(f"\n{'target':<24}{'req/s':>9}{'CPU µs/req':>12}{'CPU vs empty ASGI':>20}")
    for name in rounds[0]:
        rate = statistics.median(r[name][0] for r in rounds)
        cpu = statistics.median(r[name][1] for r in rounds)
        ratio = statistics.median(r[name][1] / r[EMPTY_ASGI][1] for r in rounds)
        print(f"{name:<24}{rate:>9,.0f}{cpu:>12.1f}{ratio:>20.2f}")
    print("(medians over the rounds; the ratio is taken within each round)")
    if REFERENCE in rounds[0]:
        per_round = [r[GATEWAY_ASGI][1] / r[REFERENCE][1] for r in rounds]
        listed = " ".join(f"{ratio:.2f}" for ratio in per_round)
        median = statistics.median(per_round)
        print(f"{GATEWAY_ASGI} / {REFERENCE} per round: {listed} (median {median:.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8, help="seconds per measured run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="requests/s wrk keeps (0: as fast as the server answers); a paced server gets "
        "fewer requests per wake-up, so each costs more than at saturation",
    )
    parser.add_argument("--reference-tree", type=Path, help="another checkout's gateway too")
    args = parser.parse_args()
    if missing_tools():
        print(f"missing tools; install them with:\n  {INSTALL_HINT}")
        return 2
    keys_spec = "bench:" + base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    keys = TokenKeys.parse(keys_spec)
    rounds: list[dict[str, tuple[float, float]]] = []
    sent: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="emailtrack-bench-gw-cpu-") as tmp:
        work = Path(tmp)
        broker = TansuBroker(free_port(), work / "broker.log")
        broker.start()
        try:
            ensure_topics(KafkaSettings(broker.bootstrap_servers, 2000))
            servers: list[Server] = []
            try:
                servers = start_servers(
                    work, keys_spec, broker.bootstrap_servers, args.reference_tree
                )
                for round_no in range(args.rounds):
                    print(f"round {round_no + 1}, load average {os.getloadavg()[0]:.1f}")
                    figures, round_sent = measure_round(servers, keys, work, args, round_no)
                    rounds.append(figures)
                    sent.update(round_sent)
            finally:
                for server in reversed(servers):
                    server.process.stop()
            hits, distinct = count_hits(broker.bootstrap_servers)
        finally:
            broker.stop()
    report(rounds)
    lost = {c: n - hits.get(c, 0) for c, n in sent.items() if hits.get(c, 0) < n}
    total = sum(hits.values())
    print(f"hits in Kafka {total:,}, distinct ids {distinct:,}; lost: {lost or 'none'}")
    return 1 if lost or distinct != total else 0


if __name__ == "__main__":
    sys.exit(main())
