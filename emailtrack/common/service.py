"""The process lifecycle every gRPC service shares: ``migrate``, ``serve`` (gRPC server with
health, reflection and authenticated calls, /metrics, Kafka consumer and background-job
threads, graceful stop on SIGTERM) or one of the service's own operator commands. Settings
and the service's config are read and validated before any wiring: a bad setting logs
"configuration error" and exits 2. ``build`` only constructs objects; every thread is
started here, after the server."""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

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


Config = TypeVar("Config")


class BackgroundJob(Protocol):
    """A periodic task run in its own thread until ``stop`` is set."""

    def run(self, stop: threading.Event) -> None: ...


@dataclass
class ServiceParts:
    """What a service's wiring function builds from its settings (nothing started yet);
    ``key_verifier`` is set only by the service that owns the API key store (the others ask
    it remotely)."""

    registrations: list[ServiceRegistration]
    consumers: list[ConsumerLoop[Any]] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)
    jobs: dict[str, BackgroundJob] = field(default_factory=dict)
    key_verifier: KeyVerifier | None = None


@dataclass(frozen=True)
class ServiceCommands:
    """A service's own operator subcommands (``python -m services.X NAME ...``): their names
    and the function that runs one with the full argument list, returning the exit code."""

    names: tuple[str, ...]
    run: Callable[[str, Sequence[str]], int]


@dataclass(frozen=True)
class Service(Generic[Config]):
    """How one service process is put together: its name, migrations, config reader (raises
    ConfigError), wiring function and extra commands."""

    name: str
    migrations_dir: Path
    read_config: Callable[[], Config]
    build: Callable[[ServiceSettings, Config], ServiceParts]
    commands: ServiceCommands = ServiceCommands((), lambda name, argv: 2)


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


def run_jobs(jobs: dict[str, BackgroundJob], stop: threading.Event) -> list[threading.Thread]:
    """Runs each background job in a daemon thread named after it, until ``stop`` is set."""
    threads = [
        threading.Thread(target=job.run, args=(stop,), name=name, daemon=True)
        for name, job in jobs.items()
    ]
    for t in threads:
        t.start()
    return threads


def read_settings(
    name: str, read_config: Callable[[], Config]
) -> tuple[ServiceSettings, Config] | None:
    """The shared settings and the service's config, or None after logging "configuration
    error: ..." (the caller exits 2)."""
    try:
        return ServiceSettings.from_env(name), read_config()
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return None


def main(service: Service[Config], argv: Sequence[str] | None = None) -> int:
    name = service.name
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "serve"
    if command in service.commands.names:
        return service.commands.run(name, args)
    setup_logging(name)
    if command == "migrate":
        migrating = read_settings(name, lambda: None)
        if migrating is None:
            return 2
        migrate(migrating[0].database_url, service.migrations_dir)
        log.info("%s migrations applied", name)
        return 0
    if command != "serve":
        expected = ", ".join(repr(c) for c in ("serve", "migrate", *service.commands.names))
        log.error("unknown command %r (expected %s)", command, expected)
        return 2
    found = read_settings(name, service.read_config)
    if found is None:
        return 2
    settings, config = found
    try:
        settings.auth.require_service_key()
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    setup_telemetry(name)
    serve_metrics(settings.metrics_port, settings.bind_host)
    ensure_topics(settings.kafka)
    stop = wait_for_termination_signal()
    parts = service.build(settings, config)
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
    threads = [*run_consumers(parts.consumers, stop, crashed), *run_jobs(parts.jobs, stop)]
    stop.wait()
    server.stop()
    for t in threads:
        t.join(timeout=10)
    for close in [*parts.closers, *auth_closers]:
        close()
    log.info("%s stopped", name)
    return 1 if crashed else 0
