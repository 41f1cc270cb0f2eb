"""Pure parts of the relay: AUTH password hashes, settings checks (fail closed), the memory of
recently relayed recipients and the DATA reply."""

from __future__ import annotations

import pytest

from emailtrack.common.config import ConfigError
from emailtrack.relay.config import RelaySettings
from emailtrack.relay.handler import RelayedRecently, _data_reply
from emailtrack.relay.passwords import hash_password, parse_users, verify_password
from emailtrack.relay.upstream import UpstreamRefused

BASE = {"EMAILTRACK_RELAY_TENANT": "acme", "EMAILTRACK_RELAY_UPSTREAM_HOST": "mx.example"}


def test_password_hashes_are_salted_scrypt_and_verify_in_constant_time() -> None:
    stored = hash_password("s3cret")
    assert stored.startswith("scrypt$") and "s3cret" not in stored
    assert stored != hash_password("s3cret")
    assert verify_password("s3cret", stored)
    assert not verify_password("s3cret!", stored)
    assert not verify_password("s3cret", "plain$text")
    assert not verify_password("s3cret", "scrypt$x$y$z$a$b")
    assert parse_users([f"ada:{stored}"]) == {"ada": stored}
    with pytest.raises(ValueError):
        parse_users(["ada:cleartext-password"])


def test_settings_fail_closed() -> None:
    settings = RelaySettings.from_env(BASE)
    assert settings.host == "127.0.0.1" and not settings.users and not settings.require_tls
    assert [str(n) for n in settings.trusted_networks] == ["127.0.0.0/8", "::1/128"]
    with pytest.raises(ConfigError, match="STARTTLS"):
        RelaySettings.from_env({**BASE, "EMAILTRACK_RELAY_UPSTREAM_USER": "u"})
    with pytest.raises(ConfigError, match="needs STARTTLS"):
        RelaySettings.from_env({**BASE, "EMAILTRACK_RELAY_USERS": f"a:{hash_password('x')}"})
    with pytest.raises(ConfigError, match="go together"):
        RelaySettings.from_env({**BASE, "EMAILTRACK_RELAY_TLS_CERT": "/c.pem"})
    with pytest.raises(ConfigError):
        RelaySettings.from_env({**BASE, "EMAILTRACK_RELAY_TRUSTED_NETWORKS": "10.0.0.0/33"})
    with pytest.raises(ConfigError, match="EMAILTRACK_RELAY_TENANT"):
        RelaySettings.from_env({"EMAILTRACK_RELAY_UPSTREAM_HOST": "mx.example"})
    assert settings.batch_interval_s == 0.02
    with pytest.raises(ConfigError, match="0 to 1000"):
        RelaySettings.from_env({**BASE, "EMAILTRACK_RELAY_BATCH_INTERVAL_MS": "-1"})


def test_upstream_password_can_come_from_a_mounted_file(tmp_path) -> None:
    secret = tmp_path / "password"
    secret.write_text("from-file\n")
    settings = RelaySettings.from_env(
        {
            **BASE,
            "EMAILTRACK_RELAY_UPSTREAM_STARTTLS": "true",
            "EMAILTRACK_RELAY_UPSTREAM_USER": "u",
            "EMAILTRACK_RELAY_UPSTREAM_PASSWORD_FILE": str(secret),
        }
    )
    assert settings.upstream.password == "from-file"


def test_relayed_memory_is_bounded_and_expires() -> None:
    memory = RelayedRecently(capacity=2, ttl_s=60)
    for key in (("m", "a"), ("m", "b"), ("m", "c")):
        memory.add(key)
    assert ("m", "a") not in memory and ("m", "c") in memory
    expired = RelayedRecently(ttl_s=0)
    expired.add(("m", "a"))
    assert ("m", "a") not in expired


def test_data_reply_is_4xx_unless_every_refusal_is_permanent_and_nothing_was_sent() -> None:
    temporary, permanent = UpstreamRefused(451, "4.4.1 down"), UpstreamRefused(550, "5.1.1 no")
    assert _data_reply(["a"], []).startswith("250")
    assert _data_reply([], [permanent]) == "550 5.1.1 no"
    assert _data_reply([], [permanent, temporary]).startswith("451")
    assert _data_reply(["a"], [permanent]).startswith("451")
