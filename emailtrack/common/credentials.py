"""Builds a service's credential checks from its settings: accepted service keys (local),
API keys verified by the key store (the recipient service, through a channel carrying this
process's own service key, or ``local`` in the key store's own process), a short cache, and
the per-key rate limiter."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from emailtrack.common.config import AuthSettings
from emailtrack.common.grpc_auth import ServerAuth
from emailtrack.common.grpc_server import client_channel
from emailtrack.common.key_verifiers import (
    CachedVerifier,
    FirstMatch,
    KeyVerifier,
    RemoteKeyVerifier,
    ServiceKey,
    ServiceKeys,
)
from emailtrack.common.rate_limit import RateLimiter
from emailtrack.common.rpc_scopes import Scope


def build_server_auth(
    settings: AuthSettings, local: KeyVerifier | None = None
) -> tuple[ServerAuth, list[Callable[[], None]]]:
    """The server's checks, and what to close at stop."""
    closers: list[Callable[[], None]] = []
    api_keys = local
    if api_keys is None:
        channel = client_channel(
            settings.key_store_addr, api_key=settings.require_service_key(), tls=settings.tls
        )
        closers.append(channel.close)
        api_keys = RemoteKeyVerifier(channel)
    verifier = FirstMatch(
        ServiceKeys.parse(settings.accepted_service_keys),
        CachedVerifier(api_keys, settings.key_cache_s),
    )
    limiter = RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst)
    return ServerAuth(verifier, limiter), closers


def single_key_auth(key: str, *more: KeyVerifier, limiter: RateLimiter | None = None) -> ServerAuth:
    """A server that accepts ``key`` as a service key with every scope (and whatever
    ``more`` accepts), unlimited unless ``limiter`` is given: in-process servers of
    benchmarks and tests."""
    digest = hashlib.sha256(key.encode()).digest()
    trusted = ServiceKeys([ServiceKey("in-process", frozenset(Scope), digest)])
    return ServerAuth(FirstMatch(trusted, *more), limiter or RateLimiter(0, 1))
