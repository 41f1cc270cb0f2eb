"""Webhooks service settings from the environment. The secrets key is required (fail closed:
endpoint secrets are never stored in the clear); the SSRF allow-list is empty by default."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from emailtrack.common.config import ConfigError, env_int, env_list, env_str
from services.webhooks.domain.backoff import RetryPolicy
from services.webhooks.domain.destinations import IPNetwork, parse_networks
from services.webhooks.signing import KEY_BYTES
from services.webhooks.worker import WorkerSettings

MIN_RETRY_WINDOW = timedelta(hours=24)


def _positive(name: str, default: int, env: Mapping[str, str] | None) -> int:
    value = env_int(name, default, env)
    if value <= 0:
        raise ConfigError(f"{name} must be a positive number")
    return value


def _secrets_key(env: Mapping[str, str] | None) -> bytes:
    name = "EMAILTRACK_WEBHOOKS_SECRETS_KEY"
    raw = env_str(name, "", env)
    if not raw:
        raise ConfigError(f"{name} is required (base64 of {KEY_BYTES} random bytes)")
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"{name} is not base64") from exc
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{name} must decode to {KEY_BYTES} bytes")
    return key


@dataclass(frozen=True)
class WebhooksConfig:
    secrets_key: bytes
    allowed_networks: tuple[IPNetwork, ...] = ()
    timeout_s: float = 10.0
    rotation_grace: timedelta = timedelta(hours=24)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    retention: timedelta = timedelta(days=30)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebhooksConfig:
        try:
            allowed = parse_networks(env_list("EMAILTRACK_WEBHOOKS_ALLOWED_NETWORKS", env))
        except ValueError as exc:
            raise ConfigError(f"EMAILTRACK_WEBHOOKS_ALLOWED_NETWORKS: {exc}") from exc
        window = timedelta(hours=_positive("EMAILTRACK_WEBHOOKS_RETRY_HOURS", 26, env))
        if window < MIN_RETRY_WINDOW:
            raise ConfigError("EMAILTRACK_WEBHOOKS_RETRY_HOURS must be at least 24")
        retry = RetryPolicy(
            first_delay=timedelta(
                seconds=_positive("EMAILTRACK_WEBHOOKS_FIRST_RETRY_SECONDS", 5, env)
            ),
            window=window,
        )
        timeout_s = _positive("EMAILTRACK_WEBHOOKS_TIMEOUT_SECONDS", 10, env)
        lease_s = _positive("EMAILTRACK_WEBHOOKS_LEASE_SECONDS", 120, env)
        if lease_s <= timeout_s:
            # a lease shorter than a request would let a second worker post it meanwhile
            raise ConfigError("EMAILTRACK_WEBHOOKS_LEASE_SECONDS must exceed the timeout")
        worker = WorkerSettings(
            workers=_positive("EMAILTRACK_WEBHOOKS_WORKERS", 16, env),
            per_endpoint=_positive("EMAILTRACK_WEBHOOKS_PER_ENDPOINT", 4, env),
            batch_size=_positive("EMAILTRACK_WEBHOOKS_BATCH_SIZE", 100, env),
            lease=timedelta(seconds=lease_s),
            disable_after=timedelta(
                hours=_positive("EMAILTRACK_WEBHOOKS_DISABLE_AFTER_HOURS", 120, env)
            ),
        )
        return cls(
            _secrets_key(env),
            allowed,
            float(timeout_s),
            timedelta(hours=_positive("EMAILTRACK_WEBHOOKS_ROTATION_GRACE_HOURS", 24, env)),
            retry,
            worker,
            timedelta(days=_positive("EMAILTRACK_WEBHOOKS_RETENTION_DAYS", 30, env)),
        )
