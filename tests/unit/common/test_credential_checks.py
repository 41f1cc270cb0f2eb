"""Pure parts of the credential checks: the key format, service keys from configuration, the
verification cache and the per-key token bucket."""

from __future__ import annotations

import hashlib

import pytest

from emailtrack.common import api_keys
from emailtrack.common.config import AuthSettings, ConfigError
from emailtrack.common.key_verifiers import CachedVerifier, Principal, ServiceKeys
from emailtrack.common.rate_limit import RateLimiter
from emailtrack.common.rpc_scopes import Scope


def test_keys_are_random_and_only_their_hash_is_kept() -> None:
    first, second = api_keys.new_key(), api_keys.new_key()
    assert first.presented != second.presented and first.prefix != second.prefix
    assert first.presented.startswith(f"et_{first.prefix}_")
    prefix, secret = api_keys.split_key(first.presented)  # type: ignore[misc]  # a key just issued splits
    assert prefix == first.prefix
    assert secret not in first.secret_hash.hex() and len(first.secret_hash) == 32
    assert api_keys.matches(secret, first.secret_hash)
    assert not api_keys.matches(secret + "x", first.secret_hash)


@pytest.mark.parametrize(
    "presented", ["", "et_", "Bearer x", "et_zzzzzzzzzzzz_" + "a" * 43, "et_" + "a" * 300]
)
def test_malformed_keys_are_not_split(presented: str) -> None:
    assert api_keys.split_key(presented) is None


def test_service_keys_from_configuration() -> None:
    key = "svc-key-" + "k" * 40
    digest = hashlib.sha256(key.encode()).hexdigest()
    keys = ServiceKeys.parse([f"gateway:read+internal:{digest}"])
    found = keys.verify(key)
    assert found == Principal(
        "service:gateway", "*", frozenset({Scope.READ, Scope.INTERNAL}), service=True
    )
    assert keys.verify(key + "x") is None
    for bad in ("gateway:read:nothex", "gateway:bogus:" + digest, ":read:" + digest):
        with pytest.raises(ConfigError):
            ServiceKeys.parse([bad])


def test_a_service_must_have_its_own_key() -> None:
    with pytest.raises(ConfigError):
        AuthSettings.from_env({}).require_service_key()
    settings = AuthSettings.from_env({"EMAILTRACK_SERVICE_KEY": "s" * 40})
    assert settings.require_service_key() == "s" * 40


class Counting:
    def __init__(self, answer: Principal | None) -> None:
        self.answer = answer
        self.calls = 0

    def verify(self, presented: str) -> Principal | None:
        self.calls += 1
        return self.answer


def test_the_cache_forgets_answers_after_its_lifetime() -> None:
    now = [100.0]
    inner = Counting(Principal("p", "acme", frozenset({Scope.READ})))
    cached = CachedVerifier(inner, ttl_s=5, clock=lambda: now[0])
    assert cached.verify("k") == inner.answer
    inner.answer = None  # revoked
    now[0] += 4.9
    assert cached.verify("k") is not None and inner.calls == 1
    now[0] += 0.2
    assert cached.verify("k") is None and inner.calls == 2


def test_the_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_s=2, burst=3, clock=lambda: now[0])
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(0.5)
    assert limiter.acquire("b") == 0.0  # per key
    now[0] += 0.5
    assert limiter.acquire("a") == 0.0
    assert RateLimiter(0, 1).acquire("a") == 0.0  # 0 turns limits off
