"""Gateway settings from the environment."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from emailtrack.common.config import (
    ConfigError,
    GrpcTls,
    KafkaSettings,
    env_int,
    env_list,
    env_str,
)
from emailtrack.common.dashboard_users import DashboardUser, parse_dashboard_users
from emailtrack.common.tokens import TokenKeys

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SPOOL_MAX_BYTES = 512 * 1024 * 1024
# /metrics on its own port, never the public one (0: on the public port, for local use only)
METRICS_PORT = 9464
# tracking hits per client IP per window counted as engagement; the rest are served but
# marked rate_limited (0 disables the limit)
HIT_LIMIT_PER_IP = 120
HIT_LIMIT_WINDOW_S = 60.0
# granian's interface the gateway is served through: "rsgi" answers the pixel and the click
# with less CPU, but RSGI hands over the path percent-decoded, so an id holding an encoded
# "/" (%2F) in an operator API or dashboard URL cannot be reached (gateway/rsgi_bridge.py)
HTTP_INTERFACES = ("asgi", "rsgi")


def default_spool_dir(bootstrap_servers: str) -> Path:
    """A folder under the temporary directory per Kafka cluster: spooled hits belong to the
    cluster they were meant for (k8s mounts an emptyDir at /tmp)."""
    cluster = hashlib.sha256(bootstrap_servers.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"emailtrack-gateway-spool-{cluster}"


def parse_api_tokens(spec: list[str]) -> tuple[tuple[str, str], ...]:
    """``token:tenant`` items as (token, tenant) pairs."""
    pairs = []
    for item in spec:
        token, _, tenant = item.rpartition(":")
        if len(token) < 16 or not tenant:
            raise ConfigError(
                "EMAILTRACK_API_TOKENS items must be 'token:tenant' (token >= 16 chars)"
            )
        pairs.append((token, tenant))
    return tuple(pairs)


@dataclass(frozen=True)
class OperatorSettings:
    """Who may use the dashboard and the JSON API, and the services they read."""

    dashboard_users: tuple[DashboardUser, ...] = ()
    dashboard_users_file: Path | None = None
    # shared session store (every worker and replica); without it sessions live in the
    # worker, which the configuration allows only with one worker
    dashboard_database_url: str = ""
    trusted_proxies: tuple[Network, ...] = ()
    api_tokens: tuple[tuple[str, str], ...] = ()
    session_secret: str = ""
    secure_cookies: bool = False
    analytics_addr: str = "127.0.0.1:15054"
    recipient_addr: str = "127.0.0.1:15052"
    tracking_edge_addr: str = "127.0.0.1:15051"
    bounce_addr: str = "127.0.0.1:15053"
    webhooks_addr: str = "127.0.0.1:15055"
    public_base_url: str = "http://127.0.0.1:8080"
    service_key: str = ""  # the gateway's own credential on gRPC calls
    grpc_tls: GrpcTls = field(default_factory=GrpcTls)

    @classmethod
    def from_env(
        cls,
        token_keys: TokenKeys,
        env: Mapping[str, str] | None = None,
        trusted_proxies: tuple[Network, ...] = (),
    ) -> OperatorSettings:
        # without an explicit secret, every worker derives the same one from the token keys
        derived = hmac.new(
            b"".join(token_keys.keys[kid] for kid in sorted(token_keys.keys)),
            b"emailtrack-dashboard-session",
            hashlib.sha256,
        ).hexdigest()
        users_file = env_str("EMAILTRACK_DASHBOARD_USERS_FILE", "", env)
        return cls(
            dashboard_users=parse_dashboard_users(env_list("EMAILTRACK_DASHBOARD_USERS", env)),
            dashboard_users_file=Path(users_file) if users_file else None,
            dashboard_database_url=env_str("EMAILTRACK_DASHBOARD_DATABASE_URL", "", env),
            trusted_proxies=trusted_proxies,
            api_tokens=parse_api_tokens(env_list("EMAILTRACK_API_TOKENS", env)),
            session_secret=env_str("EMAILTRACK_DASHBOARD_SESSION_SECRET", derived, env),
            secure_cookies=env_str("EMAILTRACK_DASHBOARD_SECURE_COOKIES", "false", env) == "true",
            analytics_addr=env_str("EMAILTRACK_ANALYTICS_ADDR", "127.0.0.1:15054", env),
            recipient_addr=env_str("EMAILTRACK_RECIPIENT_ADDR", "127.0.0.1:15052", env),
            tracking_edge_addr=env_str("EMAILTRACK_TRACKING_EDGE_ADDR", "127.0.0.1:15051", env),
            bounce_addr=env_str("EMAILTRACK_BOUNCE_ADDR", "127.0.0.1:15053", env),
            webhooks_addr=env_str("EMAILTRACK_WEBHOOKS_ADDR", "127.0.0.1:15055", env),
            public_base_url=env_str("EMAILTRACK_PUBLIC_BASE_URL", "http://127.0.0.1:8080", env),
            service_key=env_str("EMAILTRACK_SERVICE_KEY", "", env),
            grpc_tls=GrpcTls.from_env(env),
        )


@dataclass(frozen=True)
class GatewaySettings:
    http_port: int
    http_workers: int
    bind_host: str
    kafka: KafkaSettings
    token_keys: TokenKeys
    trusted_proxies: tuple[Network, ...]
    max_buffered_hits: int
    flush_interval_ms: int
    max_batch_hits: int
    operators: OperatorSettings = field(default_factory=OperatorSettings)
    spool_dir: Path = Path(tempfile.gettempdir()) / "emailtrack-gateway-spool"
    spool_max_bytes: int = SPOOL_MAX_BYTES
    spool_fsync_interval_ms: int = 200
    ack_deadline_ms: int = 5000
    metrics_port: int = METRICS_PORT
    hit_limit_per_ip: int = HIT_LIMIT_PER_IP
    hit_limit_window_s: float = HIT_LIMIT_WINDOW_S
    # the host a token is checked against comes from X-Forwarded-Host when a trusted proxy
    # sends it (EMAILTRACK_TRUST_FORWARDED_HOST=true; for proxies that rewrite Host)
    trust_forwarded_host: bool = False
    http_interface: str = "asgi"  # one of HTTP_INTERFACES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GatewaySettings:
        try:
            proxies = tuple(
                ipaddress.ip_network(cidr, strict=False)
                for cidr in env_list("EMAILTRACK_TRUSTED_PROXIES", env)
            )
        except ValueError as exc:
            raise ConfigError(f"EMAILTRACK_TRUSTED_PROXIES: {exc}") from exc
        token_keys = TokenKeys.from_env(env)
        kafka = KafkaSettings.from_env(env)
        spool_dir = env_str("EMAILTRACK_GATEWAY_SPOOL_DIR", "", env) or default_spool_dir(
            kafka.bootstrap_servers
        )
        operators = OperatorSettings.from_env(token_keys, env, proxies)
        http_workers = env_int("EMAILTRACK_HTTP_WORKERS", 2, env)
        trust_forwarded_host = _flag("EMAILTRACK_TRUST_FORWARDED_HOST", env)
        if trust_forwarded_host and not proxies:
            raise ConfigError(
                "EMAILTRACK_TRUST_FORWARDED_HOST needs EMAILTRACK_TRUSTED_PROXIES: the proxies "
                "whose X-Forwarded-Host is believed"
            )
        http_interface = env_str("EMAILTRACK_GATEWAY_INTERFACE", "asgi", env).strip().lower()
        if http_interface not in HTTP_INTERFACES:
            raise ConfigError(f"EMAILTRACK_GATEWAY_INTERFACE must be one of {HTTP_INTERFACES}")
        dashboard = operators.dashboard_users or operators.dashboard_users_file
        if dashboard and http_workers > 1 and not operators.dashboard_database_url:
            raise ConfigError(
                "dashboard logins with more than one worker need "
                "EMAILTRACK_DASHBOARD_DATABASE_URL (sessions shared by every worker, so that "
                "logout ends them everywhere)"
            )
        return cls(
            http_port=env_int("EMAILTRACK_HTTP_PORT", 8080, env),
            http_workers=http_workers,
            bind_host=env_str("EMAILTRACK_BIND_HOST", "0.0.0.0", env),
            kafka=kafka,
            token_keys=token_keys,
            trusted_proxies=proxies,
            max_buffered_hits=env_int("EMAILTRACK_GATEWAY_MAX_BUFFERED_HITS", 100_000, env),
            flush_interval_ms=env_int("EMAILTRACK_GATEWAY_FLUSH_INTERVAL_MS", 50, env),
            max_batch_hits=env_int("EMAILTRACK_GATEWAY_MAX_BATCH_HITS", 1000, env),
            spool_dir=Path(spool_dir),
            spool_max_bytes=env_int("EMAILTRACK_GATEWAY_SPOOL_MAX_BYTES", SPOOL_MAX_BYTES, env),
            spool_fsync_interval_ms=env_int("EMAILTRACK_GATEWAY_SPOOL_FSYNC_MS", 200, env),
            ack_deadline_ms=env_int("EMAILTRACK_GATEWAY_ACK_DEADLINE_MS", 5000, env),
            metrics_port=env_int("EMAILTRACK_METRICS_PORT", METRICS_PORT, env),
            hit_limit_per_ip=env_int("EMAILTRACK_GATEWAY_HIT_LIMIT_PER_IP", HIT_LIMIT_PER_IP, env),
            hit_limit_window_s=env_int(
                "EMAILTRACK_GATEWAY_HIT_LIMIT_WINDOW_S", int(HIT_LIMIT_WINDOW_S), env
            ),
            operators=operators,
            trust_forwarded_host=trust_forwarded_host,
            http_interface=http_interface,
        )


def _flag(name: str, env: Mapping[str, str] | None) -> bool:
    value = env_str(name, "false", env).strip().lower()
    if value not in ("true", "false"):
        raise ConfigError(f"{name} must be true or false")
    return value == "true"
