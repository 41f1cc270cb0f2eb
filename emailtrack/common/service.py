"""The process lifecycle every gRPC service shares: ``migrate`` or ``serve`` (gRPC server with
health, reflection and authenticated calls, /metrics, Kafka consumer threads, graceful stop
on SIGTERM)."""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emailtrack.common.config import ConfigError, ServiceSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.credentials import build_server_auth
from emailtrack.common.db import migrate
from emailtrack.common.grpc_server import (
    ServiceRegistration,
    start_server,
    wait_for_termination_signal,
)
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.key_verifiers import KeyVerifier
from emailtrack.common.logs import setup_logging
from emailtrack.common.metrics import serve_metrics
from emailtrack.common.telemetry import setup_telemetry

log = logging.getLogger(__name__)


@dataclass
class ServiceParts:
    """What a service's wiring function builds from its settings; ``key_verifier`` is set
    only by the service that owns the API key store (the others ask it remotely)."""

    registrations: list[ServiceRegistration]
    consumers: list[ConsumerLoop[Any]] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)
    key_verifier: KeyVerifier | None = None


def run_consumers(
    consumers: Sequence[ConsumerLoop[Any]], stop: threading.Event, crashed: list[str]
) -> list[threading.Thread]:
    """Runs each consumer loop in a thread; a loop that crashes is named in ``crashed``
    and sets ``stop`` so that the process exits non-zero and gets restarted."""

    def _run(loop: ConsumerLoop[Any]) -> None:
        try:
            loop.run(stop)
        except Exception:
            log.exception("consumer %s crashed; stopping the service", loop.group_id)
            crashed.append(loop.group_id)
            stop.set()

    threads = [
        threading.Thread(target=_run, args=(c,), name=f"consumer-{c.group_id}", daemon=True)
        for c in consumers
    ]
    for t in threads:
        t.start()
    return threads


def main(
    name: str,
    migrations_dir: Path,
    build: Callable[[ServiceSettings], ServiceParts],
    argv: Sequence[str] | None = None,
) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "serve"
    setup_logging(name)
    try:
        settings = ServiceSettings.from_env(name)
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    if command == "migrate":
        migrate(settings.database_url, migrations_dir)
        log.info("%s migrations applied", name)
        return 0
    if command != "serve":
        log.error("unknown command %r (expected 'serve' or 'migrate')", command)
        return 2
    try:
        settings.auth.require_service_key()
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    setup_telemetry(name)
    serve_metrics(settings.metrics_port, settings.bind_host)
    ensure_topics(settings.kafka)
    stop = wait_for_termination_signal()
    parts = build(settings)
    # The long-lived objects loaded so far (user-agent rules, bot lists, geo tables, network
    # indexes: ~10^5 objects) never become garbage; frozen, full collections stop walking them.
    gc.freeze()
    try:
        auth, auth_closers = build_server_auth(settings.auth, parts.key_verifier)
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    server = start_server(
        parts.registrations,
        settings.grpc_port,
        settings.bind_host,
        auth=auth,
        tls=settings.auth.tls,
    )
    crashed: list[str] = []
    threads = run_consumers(parts.consumers, stop, crashed)
    stop.wait()
    server.stop()
    for t in threads:
        t.join(timeout=10)
    for close in [*parts.closers, *auth_closers]:
        close()
    log.info("%s stopped", name)
    return 1 if crashed else 0
