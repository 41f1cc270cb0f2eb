"""Starts and stops the whole platform: PostgreSQL and broker (embedded unless external ones
are given), migrations, topics, then the gateway and every service as child processes."""

from __future__ import annotations

import base64
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from emailtrack.common.config import KafkaSettings
from emailtrack.common.db import ensure_database, migrate, normalise_url
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.platform import components, keys
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.components import Component
from emailtrack.platform.ports import chosen_ports, free_port, refuse_busy_ports
from emailtrack.platform.postgres import EmbeddedPostgres

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent.parent
DASHBOARD_DATABASE = "emailtrack_dashboard"  # the gateway's dashboard sessions
# Below Linux's ephemeral range (32768-60999, where outgoing connections take their local
# port), so that a restart never finds a default port held by some client's socket.
DEFAULT_PORTS = {
    "gateway": 8080,
    "tracking-edge": 15051,
    "recipient": 15052,
    "bounce": 15053,
    "analytics": 15054,
    "webhooks": 15055,
    "gateway-metrics": 9100,
    "tracking-edge-metrics": 9101,
    "recipient-metrics": 9102,
    "bounce-metrics": 9103,
    "analytics-metrics": 9104,
    "webhooks-metrics": 9105,
    "postgres": 15432,
    "kafka": 19092,
}


@dataclass
class PlatformOptions:
    state_dir: Path
    database_url: str | None = None
    kafka_bootstrap: str | None = None
    auto_ports: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    kafka_session_timeout_ms: int = 2000


@dataclass(frozen=True)
class Replica:
    """A further process of a component (``analytics-2``): its own gRPC or HTTP port, metrics
    port and, for the gateway, spool folder; the same database, topics and consumer groups
    as the first process, so Kafka shares the topics' partitions between them."""

    component: Component
    name: str
    port: int
    metrics_port: int


def _token_keys(state_dir: Path) -> str:
    path = state_dir / "token-keys"
    if not path.exists():
        secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        path.write_text(f"dev1:{secret}")
        path.chmod(0o600)
    return path.read_text().strip()


def _random_key() -> str:
    """Base64 of 32 random bytes (``{`` and ``}`` never occur in it)."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _dev_credential(state_dir: Path, name: str, template: str) -> str:
    """A dashboard login or API token for local use, made once in the state folder."""
    path = state_dir / name
    if not path.exists():
        path.write_text(template.format(secret=secrets.token_urlsafe(18)))
        path.chmod(0o600)
    return path.read_text().strip()


class Platform:
    def __init__(self, options: PlatformOptions) -> None:
        self.options = options
        state = options.state_dir
        state.mkdir(parents=True, exist_ok=True)
        (state / "logs").mkdir(exist_ok=True)
        self.ports = chosen_ports(DEFAULT_PORTS, options.auto_ports, os.environ)
        self.postgres: EmbeddedPostgres | None = None
        self.broker: TansuBroker | None = None
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.replicas: dict[str, Replica] = {}
        self.token_keys = os.environ.get("EMAILTRACK_TOKEN_KEYS") or _token_keys(state)
        self.service_keys = keys.service_keys(state)
        self.admin_key = ""
        given = {**os.environ, **options.extra_env}
        # the gateway's operator logins (docs/dashboard.md); loopback is trusted as a proxy
        # so that local tools (emailtrack demo) can simulate readers' addresses
        self.operator_env = {
            "EMAILTRACK_DASHBOARD_USERS": given.get("EMAILTRACK_DASHBOARD_USERS")
            or _dev_credential(state, "dashboard-users", "admin:{secret}:demo"),
            # hashed logins of `emailtrack dashboard set-password` (override the bootstrap)
            "EMAILTRACK_DASHBOARD_USERS_FILE": given.get("EMAILTRACK_DASHBOARD_USERS_FILE")
            or str((state / "dashboard-logins").resolve()),
            "EMAILTRACK_API_TOKENS": given.get("EMAILTRACK_API_TOKENS")
            or _dev_credential(state, "api-tokens", "{secret}:demo"),
            "EMAILTRACK_TRUSTED_PROXIES": given.get("EMAILTRACK_TRUSTED_PROXIES", "127.0.0.1/32"),
        }
        # outbound webhook secrets are encrypted at rest under this key (webhooks only)
        self.webhook_secrets_key = given.get("EMAILTRACK_WEBHOOKS_SECRETS_KEY") or _dev_credential(
            state, "webhook-secrets-key", _random_key()
        )

    @property
    def bootstrap_servers(self) -> str:
        if self.options.kafka_bootstrap:
            return self.options.kafka_bootstrap
        assert self.broker is not None
        return self.broker.bootstrap_servers

    @property
    def spool_dir(self) -> Path:
        """Where the gateway keeps hits Kafka has not acknowledged yet."""
        return self.options.state_dir / "spool"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def database_url(self, database: str) -> str:
        if self.options.database_url:
            return str(make_url(normalise_url(self.options.database_url)).set(database=database))
        assert self.postgres is not None
        return self.postgres.database_url(database)

    def start_infrastructure(self) -> None:
        state = self.options.state_dir
        external = {"postgres": self.options.database_url, "kafka": self.options.kafka_bootstrap}
        refuse_busy_ports({n: p for n, p in self.ports.items() if not external.get(n)})
        if not self.options.database_url:
            self.postgres = EmbeddedPostgres(state / "postgres" / "data", self.ports["postgres"])
            self.postgres.start()
        if not self.options.kafka_bootstrap:
            self.broker = TansuBroker(self.ports["kafka"], state / "logs" / "kafka.log")
            self.broker.start()
        ensure_database(self.database_url(DASHBOARD_DATABASE))  # the gateway migrates it
        for component in components.SERVICES:
            assert component.database is not None
            url = self.database_url(component.database)
            ensure_database(url)
            migrate(url, ROOT / component.module.replace(".", "/") / "migrations")
        ensure_topics(KafkaSettings(self.bootstrap_servers, self.options.kafka_session_timeout_ms))

    def component_env(self, component: Component) -> dict[str, str]:
        env = {
            **os.environ,
            "EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "EMAILTRACK_KAFKA_SESSION_TIMEOUT_MS": str(self.options.kafka_session_timeout_ms),
            "EMAILTRACK_BIND_HOST": "127.0.0.1",
            "EMAILTRACK_TOKEN_KEYS": self.token_keys,
            "EMAILTRACK_PUBLIC_BASE_URL": self.gateway_url,
            # tenants' tracking domains reach this gateway (plain HTTP, its port) by Host
            "EMAILTRACK_TRACKING_DOMAIN_SCHEME": "http",
            "EMAILTRACK_TRACKING_DOMAIN_PORT": str(self.ports["gateway"]),
            "EMAILTRACK_HTTP_PORT": str(self.ports["gateway"]),
            "EMAILTRACK_TRACKING_EDGE_ADDR": f"127.0.0.1:{self.ports['tracking-edge']}",
            "EMAILTRACK_RECIPIENT_ADDR": f"127.0.0.1:{self.ports['recipient']}",
            "EMAILTRACK_BOUNCE_ADDR": f"127.0.0.1:{self.ports['bounce']}",
            "EMAILTRACK_ANALYTICS_ADDR": f"127.0.0.1:{self.ports['analytics']}",
            "EMAILTRACK_WEBHOOKS_ADDR": f"127.0.0.1:{self.ports['webhooks']}",
            "PYTHONPATH": str(ROOT),
            "EMAILTRACK_SERVICE_KEY": self.service_keys[component.name],
            "EMAILTRACK_SERVICE_KEYS": keys.accepted_service_keys(self.service_keys),
            **self.operator_env,
            **self.options.extra_env,
        }
        if component.name == "webhooks":
            env["EMAILTRACK_WEBHOOKS_SECRETS_KEY"] = self.webhook_secrets_key
        if component.name == "gateway":
            env["EMAILTRACK_GATEWAY_SPOOL_DIR"] = str(self.spool_dir)
            env["EMAILTRACK_DASHBOARD_DATABASE_URL"] = self.database_url(DASHBOARD_DATABASE)
            env["EMAILTRACK_METRICS_PORT"] = str(self.ports["gateway-metrics"])
        if component.database:
            env["EMAILTRACK_DATABASE_URL"] = self.database_url(component.database)
            env["EMAILTRACK_GRPC_PORT"] = str(self.ports[component.name])
            env["EMAILTRACK_METRICS_PORT"] = str(self.ports[f"{component.name}-metrics"])
        return env

    def replica_env(self, replica: Replica) -> dict[str, str]:
        env = self.component_env(replica.component)
        env["EMAILTRACK_METRICS_PORT"] = str(replica.metrics_port)
        if replica.component.name == "gateway":
            env["EMAILTRACK_HTTP_PORT"] = str(replica.port)
            env["EMAILTRACK_GATEWAY_SPOOL_DIR"] = str(self.spool_dir / replica.name)
        else:
            env["EMAILTRACK_GRPC_PORT"] = str(replica.port)
        return env

    def start_component(self, component: Component) -> None:
        self._spawn(component.name, component.module, self.component_env(component))

    def start_replica(self, name: str) -> Replica:
        """Starts one more process of component ``name`` on free ports (call wait_ready)."""
        component = next(c for c in components.ALL if c.name == name)
        number = 2 + sum(r.component.name == name for r in self.replicas.values())
        replica = Replica(component, f"{name}-{number}", free_port(), free_port())
        self.replicas[replica.name] = replica
        self._spawn(replica.name, component.module, self.replica_env(replica))
        return replica

    def _spawn(self, name: str, module: str, env: dict[str, str]) -> None:
        log_path = self.options.state_dir / "logs" / f"{name}.log"
        with open(log_path, "ab") as log_file:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", module],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )

    def start_components(self) -> None:
        for component in components.ALL:
            self.start_component(component)

    def signal_component(self, name: str, signum: int, timeout_s: float = 30.0) -> int:
        """Sends ``signum`` to a component's process group and waits for it to exit."""
        process = self.processes[name]
        os.killpg(process.pid, signum)
        return process.wait(timeout_s)

    def restart_component(self, *names: str, timeout_s: float = 60.0) -> None:
        """Starts stopped components or replicas again (their ports unchanged), then waits
        until everything is ready."""
        for name in names:
            if replica := self.replicas.get(name):
                self._spawn(name, replica.component.module, self.replica_env(replica))
            else:
                self.start_component(next(c for c in components.ALL if c.name == name))
        self.wait_ready(timeout_s)

    def readiness(self) -> dict[str, bool]:
        ports = {c.name: (c, self.ports[c.name]) for c in components.ALL}
        ports |= {r.name: (r.component, r.port) for r in self.replicas.values()}
        ready: dict[str, bool] = {}
        for name, (component, port) in ports.items():
            check: Callable[[int], bool] = (
                components.grpc_serving if component.kind == "grpc" else components.http_ready
            )
            ready[name] = check(port)
        return ready

    def wait_ready(
        self, timeout_s: float = 60.0, on_progress: Callable[[dict[str, bool]], None] | None = None
    ) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with code {process.returncode}; see "
                        f"{self.options.state_dir / 'logs' / (name + '.log')}"
                    )
            ready = self.readiness()
            if on_progress:
                on_progress(ready)
            if all(ready.values()):
                return
            if time.monotonic() > deadline:
                missing = ", ".join(n for n, ok in ready.items() if not ok)
                raise TimeoutError(f"not ready after {timeout_s:.0f}s: {missing}")
            time.sleep(0.2)

    def ensure_admin_key(self) -> bool:
        """Sets ``admin_key`` (creating the first one when the store has none); True when
        it was just created."""
        self.admin_key, created = keys.ensure_admin_key(
            self.options.state_dir,
            f"127.0.0.1:{self.ports['recipient']}",
            self.service_keys["platform"],
        )
        return created

    def start(self, timeout_s: float = 60.0) -> None:
        self.start_infrastructure()
        self.start_components()
        self.wait_ready(timeout_s)
        self.ensure_admin_key()

    def endpoints(self) -> dict[str, str]:
        found = {
            "gateway (HTTP)": self.gateway_url,
            "dashboard": f"{self.gateway_url}/dashboard/",
            "dashboard login": self.dashboard_login(),
            "API reference": f"{self.gateway_url}/api/v1/docs",
            "API token": self.api_token_hint(),
        }
        found["gateway (metrics)"] = f"http://127.0.0.1:{self.ports['gateway-metrics']}/metrics"
        for component in components.SERVICES:
            found[f"{component.name} (gRPC)"] = f"127.0.0.1:{self.ports[component.name]}"
            metrics_port = self.ports[f"{component.name}-metrics"]
            found[f"{component.name} (metrics)"] = f"http://127.0.0.1:{metrics_port}/metrics"
        found["kafka"] = self.bootstrap_servers
        if self.postgres is not None:
            found["postgres"] = self.postgres.url.replace("+psycopg", "")
        found["logs"] = str(self.options.state_dir / "logs")
        return found

    def dashboard_login(self) -> str:
        """Who logs in to the dashboard and where the password is (never the password)."""
        users = self.operator_env["EMAILTRACK_DASHBOARD_USERS"]
        first = users.split(",")[0].split(":")
        user, tenant = first[0], first[-1] if len(first) > 2 else "?"
        logins = self.options.state_dir / "dashboard-users"
        given = os.environ.get("EMAILTRACK_DASHBOARD_USERS") or self.options.extra_env.get(
            "EMAILTRACK_DASHBOARD_USERS"
        )
        where = "as set in EMAILTRACK_DASHBOARD_USERS" if given else f"password in {logins}"
        return (
            f"user {user!r} (tenant {tenant}), {where}; "
            "set your own: EMAILTRACK_DASHBOARD_USERS=user:password:tenant"
        )

    def api_token_hint(self) -> str:
        """Where the REST API's bearer token is and its tenant (never the token): the admin
        key ``up`` prints is an operator's gRPC key, which the tenant-scoped API refuses."""
        first = self.operator_env["EMAILTRACK_API_TOKENS"].split(",")[0]
        tenant = first.rsplit(":", 1)[-1] if ":" in first else "?"
        given = os.environ.get("EMAILTRACK_API_TOKENS") or self.options.extra_env.get(
            "EMAILTRACK_API_TOKENS"
        )
        where = (
            "as set in EMAILTRACK_API_TOKENS"
            if given
            else f"in {self.options.state_dir / 'api-tokens'}"
        )
        return f"tenant {tenant}, {where} (before the ':'); send Authorization: Bearer <token>"

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM every component (whole process group), then the broker and PostgreSQL."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
        if self.broker is not None:
            self.broker.stop()
        if self.postgres is not None:
            self.postgres.stop()
