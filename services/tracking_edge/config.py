"""Tracking edge settings from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from emailtrack.common.config import ConfigError, env_int, env_str
from emailtrack.common.tokens import TokenKeys
from services.tracking_edge.domain.classify import DEFAULT_DUPLICATE_WINDOW
from services.tracking_edge.domain.privacy import IpTruncation

DEFAULT_HIT_RETENTION_DAYS = 395  # 13 months: a year of history and a month to report on it
DEFAULT_DOMAIN_RECHECK_HOURS = 6
DEFAULT_DOMAIN_RECHECK_GRACE_HOURS = 72  # a tenant's DNS mistake has three days to be fixed


@dataclass(frozen=True)
class TrackingEdgeSettings:
    public_base_url: str
    token_keys: TokenKeys
    tracking_domain_scheme: str = "https"
    tracking_domain_port: int = 0  # 0: the scheme's default port
    dns_servers: tuple[str, ...] = ()
    # verified domains' TXT records are read again this often (EMAILTRACK_DOMAIN_RECHECK_HOURS);
    # missing for the grace period (EMAILTRACK_DOMAIN_RECHECK_GRACE_HOURS), a domain is unverified
    domain_recheck_every: timedelta = timedelta(hours=DEFAULT_DOMAIN_RECHECK_HOURS)
    domain_recheck_grace: timedelta = timedelta(hours=DEFAULT_DOMAIN_RECHECK_GRACE_HOURS)
    # what leaves the tracking edge of a client address (EMAILTRACK_PRIVACY_PROFILE none|eu,
    # EMAILTRACK_IP_PREFIX_V4 / _V6 override the profile's prefixes)
    ip_truncation: IpTruncation = field(default_factory=IpTruncation)
    # a reload of the same pixel or link within this window is marked duplicate (not counted)
    duplicate_window: timedelta = DEFAULT_DUPLICATE_WINDOW
    # hits older than this are deleted (EMAILTRACK_HIT_RETENTION_DAYS, 0 keeps them forever)
    hit_retention: timedelta | None = timedelta(days=DEFAULT_HIT_RETENTION_DAYS)

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
            domain_recheck_every=_hours(
                "EMAILTRACK_DOMAIN_RECHECK_HOURS", DEFAULT_DOMAIN_RECHECK_HOURS, env
            ),
            domain_recheck_grace=_hours(
                "EMAILTRACK_DOMAIN_RECHECK_GRACE_HOURS", DEFAULT_DOMAIN_RECHECK_GRACE_HOURS, env
            ),
            ip_truncation=_ip_truncation(env),
            hit_retention=_retention(env),
            duplicate_window=timedelta(
                seconds=env_int(
                    "EMAILTRACK_DUPLICATE_WINDOW_S",
                    int(DEFAULT_DUPLICATE_WINDOW.total_seconds()),
                    env,
                )
            ),
        )


def _hours(name: str, default: int, env: Mapping[str, str] | None) -> timedelta:
    hours = env_int(name, default, env)
    if not 1 <= hours <= 24 * 365:
        raise ConfigError(f"{name} must be between 1 and 8760 hours")
    return timedelta(hours=hours)


def _retention(env: Mapping[str, str] | None) -> timedelta | None:
    days = env_int("EMAILTRACK_HIT_RETENTION_DAYS", DEFAULT_HIT_RETENTION_DAYS, env)
    if days < 0:
        raise ConfigError("EMAILTRACK_HIT_RETENTION_DAYS must not be negative")
    return timedelta(days=days) if days else None


def _ip_truncation(env: Mapping[str, str] | None) -> IpTruncation:
    try:
        profile = IpTruncation.profile(env_str("EMAILTRACK_PRIVACY_PROFILE", "none", env))
        return IpTruncation(
            env_int("EMAILTRACK_IP_PREFIX_V4", profile.v4_prefix, env),
            env_int("EMAILTRACK_IP_PREFIX_V6", profile.v6_prefix, env),
        )
    except ValueError as error:
        raise ConfigError(str(error)) from error


def _scheme(value: str) -> str:
    if value not in ("https", "http"):
        raise ConfigError("EMAILTRACK_TRACKING_DOMAIN_SCHEME must be https or http")
    return value
