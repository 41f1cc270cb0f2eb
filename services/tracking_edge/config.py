"""Tracking edge settings from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from emailtrack.common.config import ConfigError, env_int, env_str
from emailtrack.common.tokens import TokenKeys


@dataclass(frozen=True)
class TrackingEdgeSettings:
    public_base_url: str
    token_keys: TokenKeys
    tracking_domain_scheme: str = "https"
    tracking_domain_port: int = 0  # 0: the scheme's default port
    dns_servers: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TrackingEdgeSettings:
        return cls(
            public_base_url=env_str("EMAILTRACK_PUBLIC_BASE_URL", "http://127.0.0.1:8080", env),
            token_keys=TokenKeys.from_env(env),
            tracking_domain_scheme=_scheme(
                env_str("EMAILTRACK_TRACKING_DOMAIN_SCHEME", "https", env)
            ),
            tracking_domain_port=env_int("EMAILTRACK_TRACKING_DOMAIN_PORT", 0, env),
            dns_servers=tuple(
                server.strip()
                for server in env_str("EMAILTRACK_DNS_SERVERS", "", env).split(",")
                if server.strip()
            ),
        )


def _scheme(value: str) -> str:
    if value not in ("https", "http"):
        raise ConfigError("EMAILTRACK_TRACKING_DOMAIN_SCHEME must be https or http")
    return value
