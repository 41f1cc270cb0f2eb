"""Gateway settings from the environment."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from emailtrack.common.config import ConfigError, KafkaSettings, env_int, env_list, env_str
from emailtrack.common.tokens import TokenKeys

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GatewaySettings:
        try:
            proxies = tuple(
                ipaddress.ip_network(cidr, strict=False)
                for cidr in env_list("EMAILTRACK_TRUSTED_PROXIES", env)
            )
        except ValueError as exc:
            raise ConfigError(f"EMAILTRACK_TRUSTED_PROXIES: {exc}") from exc
        return cls(
            http_port=env_int("EMAILTRACK_HTTP_PORT", 8080, env),
            http_workers=env_int("EMAILTRACK_HTTP_WORKERS", 2, env),
            bind_host=env_str("EMAILTRACK_BIND_HOST", "0.0.0.0", env),
            kafka=KafkaSettings.from_env(env),
            token_keys=TokenKeys.from_env(env),
            trusted_proxies=proxies,
            max_buffered_hits=env_int("EMAILTRACK_GATEWAY_MAX_BUFFERED_HITS", 100_000, env),
            flush_interval_ms=env_int("EMAILTRACK_GATEWAY_FLUSH_INTERVAL_MS", 20, env),
            max_batch_hits=env_int("EMAILTRACK_GATEWAY_MAX_BATCH_HITS", 1000, env),
        )
