"""IP truncation before a hit leaves the tracking edge, and its settings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emailtrack.common.config import ConfigError
from services.tracking_edge.config import TrackingEdgeSettings
from services.tracking_edge.domain.privacy import IpTruncation

KEYS = {"EMAILTRACK_TOKEN_KEYS": "k1:" + "a" * 64}


def test_eu_profile_keeps_24_and_48_bits() -> None:
    eu = IpTruncation.profile("eu")
    assert eu.apply("81.2.69.142") == "81.2.69.0"
    assert eu.apply("2001:db8:abcd:12:34::1") == "2001:db8:abcd::"
    assert eu.apply("::ffff:81.2.69.142") == "81.2.69.0"
    assert eu.apply("not an address") == ""


def test_no_truncation_by_default() -> None:
    assert IpTruncation().apply("81.2.69.142") == "81.2.69.142"
    assert IpTruncation().apply("2001:db8::1") == "2001:db8::1"


def test_settings_from_the_environment() -> None:
    settings = TrackingEdgeSettings.from_env(
        {
            **KEYS,
            "EMAILTRACK_PRIVACY_PROFILE": "eu",
            "EMAILTRACK_IP_PREFIX_V6": "56",
            "EMAILTRACK_DUPLICATE_WINDOW_S": "120",
        }
    )
    assert settings.ip_truncation == IpTruncation(24, 56)
    assert settings.duplicate_window == timedelta(seconds=120)
    with pytest.raises(ConfigError):
        TrackingEdgeSettings.from_env({**KEYS, "EMAILTRACK_PRIVACY_PROFILE": "gdpr-ish"})
    with pytest.raises(ConfigError):
        TrackingEdgeSettings.from_env({**KEYS, "EMAILTRACK_IP_PREFIX_V4": "40"})


def test_hit_retention_setting() -> None:
    assert TrackingEdgeSettings.from_env(KEYS).hit_retention == timedelta(days=395)
    keep = TrackingEdgeSettings.from_env({**KEYS, "EMAILTRACK_HIT_RETENTION_DAYS": "0"})
    assert keep.hit_retention is None
    with pytest.raises(ConfigError):
        TrackingEdgeSettings.from_env({**KEYS, "EMAILTRACK_HIT_RETENTION_DAYS": "-1"})
