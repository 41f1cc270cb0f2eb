"""Gateway process: validates configuration, then serves the gateway app (``TrackingApp``)
with granian workers, through the interface the settings name (ASGI or RSGI)."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from granian import Granian
from granian.constants import Interfaces
from granian.http import HTTP1Settings

from emailtrack.common.config import ConfigError
from emailtrack.common.db import migrate
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.logs import setup_logging
from gateway.config import GatewaySettings

log = logging.getLogger("gateway")
# Slow clients: a connection that has not sent its complete request head within this time
# is closed (granian's default is 30 s); the head, with its headers, is bounded by the buffer.
HEADER_READ_TIMEOUT_MS = 5_000
MAX_REQUEST_HEAD_BYTES = 64 * 1024
# the dashboard sessions' schema (named here: importing the operator side would load
# prometheus_client into this parent before its multiprocess folder is set)
SESSION_MIGRATIONS = Path(__file__).resolve().parent / "operator" / "migrations"


def main() -> int:
    setup_logging("gateway")
    try:
        settings = GatewaySettings.from_env()
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    ensure_topics(settings.kafka)
    if settings.operators.dashboard_database_url:
        migrate(settings.operators.dashboard_database_url, SESSION_MIGRATIONS)
    metrics_dir = prepare_metrics_dir()
    if settings.metrics_port:
        serve_worker_metrics(settings.metrics_port, settings.bind_host)
    try:
        serve(settings)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def prepare_metrics_dir() -> Path:
    """Every granian worker is its own process: prometheus_client's multiprocess mode
    (files in PROMETHEUS_MULTIPROC_DIR, inherited by the workers) lets /metrics, answered by
    any one worker, report the sum over all of them. The folder must start empty."""
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    path = Path(configured) if configured else Path(tempfile.mkdtemp(prefix="gateway-metrics-"))
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def serve_worker_metrics(port: int, host: str) -> None:
    """/metrics on its own port (a thread of this parent process): the sum over every
    worker, read from the multiprocess folder at each scrape."""
    # imported only now, after prepare_metrics_dir: workers forked from this process inherit
    # prometheus_client, which picks its multiprocess mode when it is first imported
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    start_http_server(port, addr=host, registry=registry)
    log.info("metrics on %s:%d/metrics", host, port)


INTERFACES = {"asgi": Interfaces.ASGI, "rsgi": Interfaces.RSGI}


def serve(settings: GatewaySettings) -> None:
    Granian(
        "gateway.asgi:create_app",
        factory=True,
        address=settings.bind_host,
        port=settings.http_port,
        interface=INTERFACES[settings.http_interface],
        websockets=False,  # no route takes a WebSocket (the live feeds are Server-Sent Events)
        workers=settings.http_workers,
        backlog=2048,
        log_access=False,
        respawn_failed_workers=True,
        http1_settings=HTTP1Settings(
            header_read_timeout=HEADER_READ_TIMEOUT_MS, max_buffer_size=MAX_REQUEST_HEAD_BYTES
        ),
    ).serve()


if __name__ == "__main__":
    sys.exit(main())
