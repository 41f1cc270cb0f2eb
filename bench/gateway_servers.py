"""Processes for the gateway HTTP benchmark: the nginx static-GIF reference, the empty
Python apps on granian (the ceiling of any Python gateway), the gateway itself
(``python -m gateway``) and wrk runs with their parsed figures."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from emailtrack.platform.ports import free_port, wait_for_port
from gateway.tracking.app import NO_CACHE, PIXEL_GIF

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_paths.lua"
BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
INSTALL_HINT = "apt-get update && apt-get install -y wrk nginx-light"


def missing_tools() -> list[str]:
    """The external programs this benchmark needs that are not on PATH (nginx is often in
    /usr/sbin, which is not always on a non-root PATH)."""
    return [name for name in ("wrk", "nginx") if find_tool(name) is None]


def find_tool(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: completed requests, throughput and latency percentiles."""

    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    bad_status: int

    @property
    def rate(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


def run_wrk(
    url: str,
    paths_file: Path,
    *,
    threads: int,
    connections: int,
    duration_s: int,
    thread_rate: float = 0,
) -> WrkResult:
    """Runs wrk against ``url`` with the rotating-path script; raises if wrk fails.
    ``thread_rate`` > 0 paces each wrk thread to that many requests/s (0: unpaced)."""
    wrk = find_tool("wrk")
    assert wrk is not None
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s}s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
        url,
        "--",
        str(paths_file),
        f"{thread_rate:.3f}",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{completed.stdout}\n{completed.stderr}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    return WrkResult(
        requests=raw["requests"],
        duration_s=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        socket_errors=raw["connect_errors"]
        + raw["read_errors"]
        + raw["write_errors"]
        + raw["timeouts"],
        bad_status=raw["status_errors"],
    )


NGINX_CONF = """\
user {user};
worker_processes {workers};
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    server {{
        listen 127.0.0.1:{port} backlog=2048;
        root {root}/www;
        location / {{
            default_type image/gif;
{headers}
            try_files /pixel.gif =404;
        }}
    }}
}}
"""


class Nginx:
    """nginx serving the same 1x1 GIF (same no-cache headers) for every path; its workers run
    as the current user (root would otherwise hand them to "nobody", who cannot read our
    private temporary folder)."""

    def __init__(self, root: Path, port: int, workers: int = 2) -> None:
        self.root = root
        self.port = port
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        (self.root / "www").mkdir(parents=True)
        (self.root / "www" / "pixel.gif").write_bytes(PIXEL_GIF)
        headers = "\n".join(f'            add_header {k} "{v}";' for k, v in NO_CACHE.items())
        conf = self.root / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                user=pwd.getpwuid(os.geteuid()).pw_name,
                workers=self.workers,
                root=self.root,
                port=self.port,
                headers=headers,
            )
        )
        nginx = find_tool("nginx")
        assert nginx is not None
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.root), "-e", str(self.root / "error.log"), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port, 10)

    def stop(self) -> None:
        stop_process(self.process, signal.SIGQUIT)


class GranianApp:
    """An app of ``bench/`` (``module:callable``, or with ``factory`` the callable that
    returns it) on granian (2 workers, uvloop when installed, as the gateway), through the
    given granian interface."""

    def __init__(
        self,
        target: str,
        interface: str,
        port: int,
        log_path: Path,
        workers: int = 2,
        env: dict[str, str] | None = None,
        factory: bool = False,
    ) -> None:
        self.target = target
        self.factory = factory
        self.interface = interface
        self.port = port
        self.log_path = log_path
        self.workers = workers
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 30.0) -> None:
        command = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            self.interface,
            "--workers",
            str(self.workers),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--backlog",
            "2048",
            "--no-ws",
            "--log-level",
            "warning",
            *(["--factory"] if self.factory else []),
            self.target,
        ]
        pythonpath = f"{BENCH_DIR}{os.pathsep}{REPO_ROOT}"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, **self.env, "PYTHONPATH": pythonpath},
                cwd=BENCH_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, timeout_s)

    def stop(self) -> None:
        """SIGINT: granian stops its workers (and runs their shutdown)."""
        stop_process(self.process, signal.SIGINT, timeout_s=30)


class EmptyPythonApp(GranianApp):
    """``bench/empty_gif_app.py``: the GIF and nothing else."""

    def __init__(self, interface: str, port: int, log_path: Path, workers: int = 2) -> None:
        super().__init__(f"empty_gif_app:{interface}", interface, port, log_path, workers)


def wait_ready(port: int, timeout_s: float) -> None:
    """Until the gateway on ``port`` answers /readyz with 200 (Kafka reached)."""
    deadline = time.monotonic() + timeout_s
    url = f"http://127.0.0.1:{port}/readyz"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"gateway not ready after {timeout_s:.0f}s")
        time.sleep(0.2)


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its descendants now alive."""
    ticks = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:  # gone meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        pending.extend(int(child) for child in children)
    return ticks / os.sysconf("SC_CLK_TCK")


def gateway_env(keys_spec: str, port: int, bootstrap: str, folder: Path) -> dict[str, str]:
    """The environment of a benchmarked gateway: two workers on ``port``, its spool and
    metrics under ``folder`` (the metrics folder is made here)."""
    (folder / "metrics").mkdir(parents=True)
    return {
        "EMAILTRACK_TOKEN_KEYS": keys_spec,
        "EMAILTRACK_HTTP_WORKERS": "2",
        "EMAILTRACK_HTTP_PORT": str(port),
        "EMAILTRACK_METRICS_PORT": str(free_port()),
        "EMAILTRACK_BIND_HOST": "127.0.0.1",
        "EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "EMAILTRACK_GATEWAY_SPOOL_DIR": str(folder / "spool"),
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
        "EMAILTRACK_LOG_FORMAT": "text",
    }


class GatewayProcess:
    """``python -m gateway`` with its configuration in the environment."""

    def __init__(
        self, env: dict[str, str], port: int, log_path: Path, tree: Path = REPO_ROOT
    ) -> None:
        self.env = env
        self.port = port
        self.log_path = log_path
        self.tree = tree  # the checkout whose gateway runs (another one for a before/after)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60.0) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gateway"],
                env={**os.environ, **self.env, "PYTHONPATH": str(self.tree)},
                cwd=self.tree,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, timeout_s)
        wait_ready(self.port, timeout_s)

    def worker_pids(self) -> list[int]:
        """The granian worker processes (children of the gateway process), for profiling."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        """SIGINT: granian stops its workers, whose lifespan shutdown flushes buffered hits."""
        stop_process(self.process, signal.SIGINT, timeout_s=30)


def stop_process(
    process: subprocess.Popen[bytes] | None, sig: signal.Signals, timeout_s: float = 10.0
) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
