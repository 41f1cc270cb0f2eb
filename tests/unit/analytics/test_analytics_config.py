"""Analytics settings from the environment."""

from __future__ import annotations

import pytest

from emailtrack.common.config import ConfigError
from services.analytics.config import AnalyticsConfig


def test_defaults_and_overrides() -> None:
    defaults = AnalyticsConfig.from_env({})
    assert (defaults.retention_days, defaults.ingest_writers) == (180, 2)
    config = AnalyticsConfig.from_env(
        {
            "EMAILTRACK_ANALYTICS_RETENTION_DAYS": "30",
            "EMAILTRACK_ANALYTICS_PARTITIONS_AHEAD_DAYS": "2",
            "EMAILTRACK_ANALYTICS_INGEST_WRITERS": "1",
        }
    )
    assert (config.retention_days, config.partitions_ahead_days, config.ingest_writers) == (
        30,
        2,
        1,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"EMAILTRACK_ANALYTICS_RETENTION_DAYS": "0"},
        {"EMAILTRACK_ANALYTICS_RETENTION_DAYS": "many"},
        {"EMAILTRACK_ANALYTICS_MAINTENANCE_INTERVAL_S": "0"},
        {"EMAILTRACK_ANALYTICS_INGEST_WRITERS": "0"},
    ],
)
def test_invalid_settings_fail_at_start(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        AnalyticsConfig.from_env(env)
