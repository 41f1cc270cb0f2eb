"""Relay settings from the environment (the table in docs/relay.md)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from emailtrack.common.config import ConfigError, env_int, env_list, env_str
from emailtrack.relay.passwords import parse_users

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class UpstreamSettings:
    host: str
    port: int
    starttls: bool
    user: str
    password: str
    ca_file: str | None
    timeout_s: float = 30.0

    def is_loopback(self) -> bool:
        return self.host in ("localhost", "::1") or self.host.startswith("127.")


@dataclass(frozen=True)
class RelaySettings:
    host: str
    port: int
    tenant_id: str
    default_campaign: str
    upstream: UpstreamSettings
    users: Mapping[str, str]
    trusted_networks: tuple[Network, ...]
    tls_cert: str | None
    tls_key: str | None
    require_tls: bool
    strip_dkim: bool
    max_message_bytes: int
    tracking_edge_addr: str
    recipient_addr: str
    api_key: str | None
    metrics_port: int = 0
    batch_interval_s: float = 0.02

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RelaySettings:
        tls_cert = env_str("EMAILTRACK_RELAY_TLS_CERT", "", env) or None
        tls_key = env_str("EMAILTRACK_RELAY_TLS_KEY", "", env) or None
        if bool(tls_cert) != bool(tls_key):
            raise ConfigError("EMAILTRACK_RELAY_TLS_CERT and _TLS_KEY go together")
        upstream = UpstreamSettings(
            host=env_str("EMAILTRACK_RELAY_UPSTREAM_HOST", None, env),
            port=env_int("EMAILTRACK_RELAY_UPSTREAM_PORT", 25, env),
            starttls=_flag("EMAILTRACK_RELAY_UPSTREAM_STARTTLS", False, env),
            user=env_str("EMAILTRACK_RELAY_UPSTREAM_USER", "", env),
            password=_secret("EMAILTRACK_RELAY_UPSTREAM_PASSWORD", env),
            ca_file=env_str("EMAILTRACK_RELAY_UPSTREAM_CA_FILE", "", env) or None,
        )
        if upstream.user and not upstream.starttls and not upstream.is_loopback():
            raise ConfigError("upstream AUTH needs EMAILTRACK_RELAY_UPSTREAM_STARTTLS=true")
        try:
            users = parse_users(env_list("EMAILTRACK_RELAY_USERS", env))
            networks = tuple(
                ipaddress.ip_network(item)
                for item in env_list("EMAILTRACK_RELAY_TRUSTED_NETWORKS", env)
                or ["127.0.0.0/8", "::1/128"]
            )
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        if users and not tls_cert:
            raise ConfigError("EMAILTRACK_RELAY_USERS needs STARTTLS (EMAILTRACK_RELAY_TLS_CERT)")
        return cls(
            host=env_str("EMAILTRACK_RELAY_HOST", "127.0.0.1", env),
            port=env_int("EMAILTRACK_RELAY_PORT", 10025, env),
            tenant_id=env_str("EMAILTRACK_RELAY_TENANT", None, env),
            default_campaign=env_str("EMAILTRACK_RELAY_CAMPAIGN", "relay", env),
            upstream=upstream,
            users=users,
            trusted_networks=networks,
            tls_cert=tls_cert,
            tls_key=tls_key,
            require_tls=_flag("EMAILTRACK_RELAY_REQUIRE_TLS", bool(tls_cert), env),
            strip_dkim=_flag("EMAILTRACK_RELAY_STRIP_DKIM", False, env),
            max_message_bytes=env_int("EMAILTRACK_RELAY_MAX_MESSAGE_BYTES", 25 * 1024 * 1024, env),
            tracking_edge_addr=env_str("EMAILTRACK_TRACKING_EDGE_ADDR", "127.0.0.1:15051", env),
            recipient_addr=env_str("EMAILTRACK_RECIPIENT_ADDR", "127.0.0.1:15052", env),
            api_key=_secret("EMAILTRACK_RELAY_API_KEY", env) or None,
            metrics_port=env_int("EMAILTRACK_METRICS_PORT", 0, env),
            batch_interval_s=_interval_s("EMAILTRACK_RELAY_BATCH_INTERVAL_MS", 20, env),
        )


def _flag(name: str, default: bool, env: Mapping[str, str] | None) -> bool:
    raw = env_str(name, "true" if default else "false", env).lower()
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    return raw in ("true", "1", "yes")


def _interval_s(name: str, default_ms: int, env: Mapping[str, str] | None) -> float:
    milliseconds = env_int(name, default_ms, env)
    if not 0 <= milliseconds <= 1000:
        raise ConfigError(f"{name} must be 0 to 1000 (milliseconds), got {milliseconds}")
    return milliseconds / 1000


def _secret(name: str, env: Mapping[str, str] | None) -> str:
    """``NAME`` or the content of the file named by ``NAME_FILE`` (a mounted Secret)."""
    path = env_str(f"{name}_FILE", "", env)
    return Path(path).read_text().strip() if path else env_str(name, "", env)
