"""Recipient service settings from the environment (defaults in docs/recipient.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from emailtrack.common.config import ConfigError, env_int, env_str
from services.recipient.applying import SuppressionRules
from services.recipient.domain.suppression import SoftBouncePolicy


@dataclass(frozen=True)
class RecipientSettings:
    analytics_addr: str
    retention_days: int
    soft_bounce_threshold: int
    soft_bounce_window_days: int
    cleanup_interval_s: int
    health_interval_s: int = 60

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RecipientSettings:
        settings = cls(
            analytics_addr=env_str("EMAILTRACK_ANALYTICS_ADDR", "127.0.0.1:15054", env),
            retention_days=env_int("EMAILTRACK_RECIPIENT_RETENTION_DAYS", 365, env),
            soft_bounce_threshold=env_int("EMAILTRACK_RECIPIENT_SOFT_BOUNCE_THRESHOLD", 3, env),
            soft_bounce_window_days=env_int("EMAILTRACK_RECIPIENT_SOFT_BOUNCE_WINDOW_DAYS", 7, env),
            cleanup_interval_s=env_int("EMAILTRACK_RECIPIENT_CLEANUP_INTERVAL_S", 3600, env),
            health_interval_s=env_int("EMAILTRACK_RECIPIENT_HEALTH_INTERVAL_S", 60, env),
        )
        if settings.retention_days < 1:
            raise ConfigError("EMAILTRACK_RECIPIENT_RETENTION_DAYS must be at least 1")
        if settings.soft_bounce_threshold < 1 or settings.soft_bounce_window_days < 1:
            raise ConfigError("the soft-bounce threshold and window must be at least 1")
        if settings.soft_bounce_window_days > settings.retention_days:
            raise ConfigError("the soft-bounce window cannot be longer than the retention")
        if settings.cleanup_interval_s < 0 or settings.health_interval_s < 0:
            raise ConfigError("the cleanup and health intervals must not be negative")
        return settings

    @property
    def retention(self) -> timedelta:
        return timedelta(days=self.retention_days)

    def rules(self) -> SuppressionRules:
        return SuppressionRules(
            SoftBouncePolicy(
                self.soft_bounce_threshold, timedelta(days=self.soft_bounce_window_days)
            ),
            self.retention,
        )
