"""Benchmark of the SMTP relay: messages per second through `emailtrack relay` (a separate
process: RCPT check, registration, InstrumentMime, upstream relay and MarkSent against the real
platform) against the same clients sending straight to the same upstream in the same run.

Each message is a ~6 KB multipart/alternative newsletter with five links, to one recipient;
every client keeps one SMTP connection open (as an MTA does). The upstream is an aiosmtpd
server in this process that only counts. Goal: >= 200 messages/s through the relay on 2 cores.

Run: ``.venv/bin/python bench/relay.py [--duration 10] [--clients 8]``
"""

from __future__ import annotations

import argparse
import os
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psutil
from aiosmtpd.controller import Controller
from prometheus_client.parser import text_string_to_metric_families

from emailtrack.platform.ports import free_port
from emailtrack.platform.supervisor import Platform, PlatformOptions

TENANT = "bench-relay"
GOAL_PER_S = 200.0
IDLE_S = 5.0
LINKS = "".join(
    f'<tr><td><a href="https://shop.example/item/{n}?utm_source=mail">Item {n}</a></td></tr>'
    for n in range(5)
)
HTML = f"<html><body><table>{LINKS}</table><p>{'Spring offers for you. ' * 150}</p></body></html>"


class CountingUpstream:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 2.0.0 queued"


def newsletter() -> bytes:
    """The message, serialised once; each send only changes its To and Message-ID."""
    message = EmailMessage()
    message["From"] = "Shop <news@shop.example>"
    message["To"] = "READER"
    message["Subject"] = "Spring offers"
    message["Message-ID"] = "<MESSAGE-ID@shop.example>"
    message["X-Emailtrack-Campaign"] = "bench"
    message.set_content("Spring offers: https://shop.example/sale\n")
    message.add_alternative(HTML, subtype="html")
    return message.as_bytes().replace(b"\n", b"\r\n")


TEMPLATE = newsletter()


def send_for(port: int, clients: int, duration_s: float, offset: int) -> tuple[int, float]:
    """Messages sent by ``clients`` connections in ``duration_s``; (count, elapsed seconds)."""
    counts = [0] * clients
    errors: list[BaseException] = []
    stop_at = time.monotonic() + duration_s

    def client(index: int) -> None:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
                n = 0
                while time.monotonic() < stop_at:
                    reader = f"reader{offset + index * 1_000_000 + n}@example.org"
                    data = TEMPLATE.replace(b"READER", reader.encode()).replace(
                        b"MESSAGE-ID", f"{reader}.{time.time_ns()}".encode()
                    )
                    smtp.sendmail("news@shop.example", [reader], data)
                    n += 1
                counts[index] = n
        except BaseException as exc:  # reported below
            errors.append(exc)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]!r}")
    return sum(counts), time.monotonic() - started


def relay_process(
    platform: Platform, upstream_port: int, port: int, log: Path, profile: str | None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EMAILTRACK_RELAY_PORT": str(port),
        "EMAILTRACK_RELAY_TENANT": TENANT,
        "EMAILTRACK_RELAY_UPSTREAM_HOST": "127.0.0.1",
        "EMAILTRACK_RELAY_UPSTREAM_PORT": str(upstream_port),
        "EMAILTRACK_TRACKING_EDGE_ADDR": f"127.0.0.1:{platform.ports['tracking-edge']}",
        "EMAILTRACK_RECIPIENT_ADDR": f"127.0.0.1:{platform.ports['recipient']}",
        "EMAILTRACK_RELAY_API_KEY": platform.admin_key,
        "EMAILTRACK_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "emailtrack.relay"]
    if profile:  # py-spy (a dev dependency) samples the relay; collapsed stacks for flamegraphs
        spy = str(Path(sys.executable).with_name("py-spy"))
        command = [spy, "record", "--format", "raw", "--nonblocking", "-o", profile, "--", *command]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                smtp.noop()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"relay did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.2)


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU time (user + system) of each process and its descendants so far."""
    used: dict[str, float] = {}
    for name, pid in roots.items():
        total = 0.0
        root = psutil.Process(pid)
        for process in (root, *root.children(recursive=True)):
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        used[name] = total
    return used


def grpc_calls(platform: Platform) -> Counter[str]:
    """gRPC calls handled so far by the services the relay calls, by method (their metrics)."""
    calls: Counter[str] = Counter()
    for service in ("tracking-edge", "recipient"):
        url = f"http://127.0.0.1:{platform.ports[f'{service}-metrics']}/metrics"
        with urllib.request.urlopen(url, timeout=10) as reply:
            for family in text_string_to_metric_families(reply.read().decode()):
                for sample in family.samples:
                    if sample.name == "emailtrack_grpc_requests_total":
                        calls[sample.labels["method"].rsplit("/", 1)[-1]] += int(sample.value)
    return calls


def profile_components(
    roots: dict[str, int], requests: list[list[str]], duration_s: float, gil_only: bool
) -> list[subprocess.Popen[bytes]]:
    spy = str(Path(sys.executable).with_name("py-spy"))
    spies = []
    for name, path in requests:
        command = [spy, "record", "--pid", str(roots[name]), "--duration", str(int(duration_s))]
        command += ["--format", "raw", "--nonblocking", "-o", path]
        spies.append(subprocess.Popen([*command, "--gil"] if gil_only else command))
    return spies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent SMTP connections")
    parser.add_argument("--profile", help="write py-spy collapsed stacks of the relay here")
    parser.add_argument(
        "--profile-component",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "FILE"),
        help="py-spy collapsed stacks of a platform process (recipient, ...) in the relay phase "
        "(repeatable)",
    )
    parser.add_argument(
        "--profile-gil",
        action="store_true",
        help="profile only samples holding the GIL (Python on the CPU, not waiting on I/O)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="emailtrack-relay-bench-") as tmp:
        directory = Path(tmp)
        directory.chmod(0o755)  # the embedded PostgreSQL may run as another user
        # The platform's default per-key rate limit (100 calls/s per service): the relay's
        # batched calls stay under it (docs/relay.md).
        platform = Platform(PlatformOptions(state_dir=directory / "platform", auto_ports=True))
        upstream = CountingUpstream()
        sink = Controller(upstream, hostname="127.0.0.1", port=free_port())
        relay: subprocess.Popen[bytes] | None = None
        try:
            platform.start(timeout_s=120)
            sink.start()
            relay_port = free_port()
            relay = relay_process(
                platform, sink.port, relay_port, directory / "relay.log", args.profile
            )
            send_for(relay_port, args.clients, 2.0, 0)  # warm-up: channels, pools, caches
            direct, direct_s = send_for(sink.port, args.clients, args.duration, 10_000_000)
            roots = {name: process.pid for name, process in platform.processes.items()}
            if platform.postgres is not None and platform.postgres.process is not None:
                roots["postgresql"] = platform.postgres.process.pid
            roots["relay"] = relay.pid
            idle_before = cpu_seconds(roots)
            time.sleep(IDLE_S)  # what the processes spend with no traffic, for the net figure
            idle = {n: (s - idle_before[n]) / IDLE_S for n, s in cpu_seconds(roots).items()}
            before, cpu_before = upstream.count, cpu_seconds(roots)
            calls_before = grpc_calls(platform)
            spies = profile_components(
                roots, args.profile_component, args.duration, args.profile_gil
            )
            relayed, relayed_s = send_for(relay_port, args.clients, args.duration, 20_000_000)
            for spy in spies:
                spy.wait(timeout=60)
            cpu = {n: s - cpu_before[n] for n, s in cpu_seconds(roots).items()}
            calls = grpc_calls(platform) - calls_before
            assert upstream.count - before == relayed, "every accepted message reached upstream"
        finally:
            if relay is not None:
                relay.send_signal(signal.SIGINT)  # py-spy writes its profile on SIGINT
                relay.wait(timeout=60)
            sink.stop()
            platform.stop()
    direct_rate, relay_rate = direct / direct_s, relayed / relayed_s
    print(f"clients: {args.clients}, phase: {args.duration:.0f} s, cores: {os.cpu_count()}")
    print(f"direct to upstream (reference): {direct_rate:8.1f} msgs/s ({direct} messages)")
    print(f"through the relay:              {relay_rate:8.1f} msgs/s ({relayed} messages)")
    print(f"relay / direct: {relay_rate / direct_rate:.3f}")
    print("CPU per relayed message (ms), by process (net: minus its idle CPU in the same run):")
    net = {n: max(0.0, s - idle[n] * relayed_s) for n, s in cpu.items()}
    for name, seconds in sorted(cpu.items(), key=lambda item: -item[1]):
        if seconds > 0.01:
            mine = f"{seconds / relayed * 1000:7.2f}  net {net[name] / relayed * 1000:5.2f}"
            print(f"  {name:14s} {mine}  (idle {idle[name] * 1000:4.0f} ms/s)")
    per_message, net_per_message = sum(cpu.values()) / relayed, sum(net.values()) / relayed
    cores = os.cpu_count() or 1
    print(
        f"  {'total':14s} {per_message * 1000:7.2f}  net {net_per_message * 1000:5.2f}"
        f"  -> ceiling on {cores} idle cores: {cores / per_message:.0f} msgs/s"
    )
    print("gRPC calls per relayed message, by method:")
    for method, count in calls.most_common():
        print(f"  {method:20s} {count / relayed:7.3f}")
    print(f"machine load average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    verdict = "met" if relay_rate >= GOAL_PER_S else "NOT met"
    print(f"goal >= {GOAL_PER_S:.0f} msgs/s through the relay: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
