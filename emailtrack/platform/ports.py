"""Finding free local TCP ports, choosing the platform's ports (defaults, ``--auto-ports`` or
one ``EMAILTRACK_PORT_<COMPONENT>`` variable per port) and refusing to start on a busy one,
waiting for a port to accept connections, and stopping the child processes that listen on
them."""

from __future__ import annotations

import random
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path

EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
FALLBACK_EPHEMERAL_LOW = 32768  # Linux's default lower bound
FREE_PORT_SPAN = 8000  # free ports are drawn from the span just below the ephemeral range
_handed_out: set[int] = set()
_handed_out_lock = threading.Lock()


def ephemeral_low() -> int:
    """The lowest port the kernel gives outgoing connections (their source ports)."""
    try:
        return int(EPHEMERAL_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return FALLBACK_EPHEMERAL_LOW


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, below the kernel's ephemeral range and never handed out
    before by this process. A port from the ephemeral range (what binding port 0 gives) can be
    taken as the source port of any outgoing connection between this choice and the server's
    bind, or while a killed server is restarted on it; a port below the range cannot."""
    high = ephemeral_low()
    low = max(1024, high - FREE_PORT_SPAN)
    for _ in range(1000):
        port = random.randrange(low, high)
        with _handed_out_lock:
            if port in _handed_out or not can_listen(port, host):
                continue
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free TCP port between {low} and {high} on {host}")


def port_variable(name: str) -> str:
    """The variable that moves one of the platform's ports: ``EMAILTRACK_PORT_TRACKING_EDGE``."""
    return "EMAILTRACK_PORT_" + name.upper().replace("-", "_")


def chosen_ports(defaults: Mapping[str, int], auto: bool, env: Mapping[str, str]) -> dict[str, int]:
    """``name → port``: free ports with ``auto``, else each default unless its variable is set."""
    chosen = {}
    for name, default in defaults.items():
        given = env.get(port_variable(name), "").strip()
        if auto:
            chosen[name] = free_port()
        elif not given:
            chosen[name] = default
        elif given.isdigit() and 0 < int(given) < 65536:
            chosen[name] = int(given)
        else:
            raise ValueError(f"{port_variable(name)}={given!r} is not a TCP port (1-65535)")
    return chosen


def can_listen(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on ``host:port`` now (SO_REUSEADDR, as servers bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def refuse_busy_ports(ports: Mapping[str, int]) -> None:
    """Checks every port before anything starts; raises RuntimeError naming each busy port
    with the variable that moves it, so that one restart fixes them all."""
    busy = {name: port for name, port in ports.items() if not can_listen(port)}
    if len(busy) == 1:
        [(name, port)] = busy.items()
        raise RuntimeError(
            f"port {port} ({name}) is already in use: stop what holds it, set "
            f"{port_variable(name)} to a free port, or run `emailtrack up --auto-ports`"
        )
    if busy:
        named = ", ".join(f"{port} ({name}, {port_variable(name)})" for name, port in busy.items())
        raise RuntimeError(
            f"{len(busy)} ports are already in use: {named}: stop what holds them, set each "
            "variable to a free port, or run `emailtrack up --auto-ports`"
        )


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(
    port: int,
    timeout_s: float,
    host: str = "127.0.0.1",
    process: subprocess.Popen[bytes] | None = None,
    log_path: Path | None = None,
) -> None:
    """Waits until something listens on ``host:port``; with the ``process`` meant to listen
    there, fails at once when it exits first (naming its exit code and ``log_path``)."""
    deadline = time.monotonic() + timeout_s
    while not port_in_use(port, host):
        if process is not None and process.poll() is not None:
            where = f"; see {log_path}" if log_path else ""
            raise RuntimeError(
                f"exited with code {process.returncode} before listening on {host}:{port}{where}"
            )
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing listens on {host}:{port} after {timeout_s:.0f}s")
        time.sleep(0.05)


def stop_child(
    process: subprocess.Popen[bytes] | None, signum: int = signal.SIGTERM, timeout_s: float = 10.0
) -> None:
    """Asks a child to stop with ``signum``, and kills it if it is still there after
    ``timeout_s``."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signum)
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
