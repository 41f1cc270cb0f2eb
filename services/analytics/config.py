"""Analytics settings read from the environment (on top of the shared service settings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from emailtrack.common.config import ConfigError, env_int


@dataclass(frozen=True)
class AnalyticsConfig:
    # Raw events are dropped (a whole daily partition at a time) after this many days.
    retention_days: int
    # Daily partitions created in advance.
    partitions_ahead_days: int
    # Seconds between two partition maintenance runs inside the service.
    maintenance_interval_s: int
    # Concurrent database transactions a large batch of events is written with.
    ingest_writers: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AnalyticsConfig:
        config = cls(
            retention_days=env_int("EMAILTRACK_ANALYTICS_RETENTION_DAYS", 180, env),
            partitions_ahead_days=env_int("EMAILTRACK_ANALYTICS_PARTITIONS_AHEAD_DAYS", 7, env),
            maintenance_interval_s=env_int(
                "EMAILTRACK_ANALYTICS_MAINTENANCE_INTERVAL_S", 3600, env
            ),
            ingest_writers=env_int("EMAILTRACK_ANALYTICS_INGEST_WRITERS", 2, env),
        )
        if config.retention_days < 1:
            raise ConfigError("EMAILTRACK_ANALYTICS_RETENTION_DAYS must be at least 1")
        if config.partitions_ahead_days < 0 or config.maintenance_interval_s < 1:
            raise ConfigError("partition maintenance settings must be positive")
        if config.ingest_writers < 1:
            raise ConfigError("EMAILTRACK_ANALYTICS_INGEST_WRITERS must be at least 1")
        return config
