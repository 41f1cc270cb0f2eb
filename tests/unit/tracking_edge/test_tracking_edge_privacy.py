"""IP truncation before a hit leaves the tracking edge, and the tracking edge's settings."""

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


@pytest.mark.parametrize(
    ("v4_prefix", "address", "kept"),
    [
        (0, "81.2.69.142", "0.0.0.0"),
        (8, "81.2.69.142", "81.0.0.0"),
        (16, " 81.2.69.142 ", "81.2.0.0"),
        (31, "81.2.69.143", "81.2.69.142"),
        (24, "::ffff:81.2.69.142", "81.2.69.0"),
        (24, "081.2.69.142", ""),  # leading zeros: no address (as ipaddress reads it)
        (24, "81.2.69", ""),
    ],
)
def test_ipv4_prefixes(v4_prefix: int, address: str, kept: str) -> None:
    assert IpTruncation(v4_prefix, 128).apply(address) == kept


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


def test_tracking_domain_recheck_settings() -> None:
    defaults = TrackingEdgeSettings.from_env(KEYS)
    assert (defaults.domain_recheck_every, defaults.domain_recheck_grace) == (
        timedelta(hours=6),
        timedelta(hours=72),
    )
    env = {
        **KEYS,
        "EMAILTRACK_DOMAIN_RECHECK_HOURS": "1",
        "EMAILTRACK_DOMAIN_RECHECK_GRACE_HOURS": "24",
    }
    chosen = TrackingEdgeSettings.from_env(env)
    assert (chosen.domain_recheck_every, chosen.domain_recheck_grace) == (
        timedelta(hours=1),
        timedelta(hours=24),
    )
    for variable, bad in (
        ("EMAILTRACK_DOMAIN_RECHECK_HOURS", "0"),
        ("EMAILTRACK_DOMAIN_RECHECK_GRACE_HOURS", "9000"),
    ):
        with pytest.raises(ConfigError, match=variable):
            TrackingEdgeSettings.from_env({**KEYS, variable: bad})
