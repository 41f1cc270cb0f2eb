"""The credential in-process test servers accept and test channels carry: one service key
with every scope, for tests that are not about authentication (tests/security are)."""

from __future__ import annotations

import hashlib

import grpc

from emailtrack.common.grpc_auth import ServerAuth
from emailtrack.common.grpc_server import DEFAULT_DEADLINE_S, client_channel
from emailtrack.common.key_verifiers import FirstMatch, KeyVerifier, ServiceKey, ServiceKeys
from emailtrack.common.rate_limit import RateLimiter
from emailtrack.common.rpc_scopes import Scope

TEST_KEY = "test-service-key-0123456789abcdefghijklmnop"
TEST_SERVICE_KEYS = ServiceKeys(
    [ServiceKey("tests", frozenset(Scope), hashlib.sha256(TEST_KEY.encode()).digest())]
)


def trusted_auth(*more: KeyVerifier, limiter: RateLimiter | None = None) -> ServerAuth:
    """Accepts TEST_KEY (and whatever ``more`` accepts); no rate limit unless given."""
    return ServerAuth(FirstMatch(TEST_SERVICE_KEYS, *more), limiter or RateLimiter(0, 1))


TEST_AUTH = trusted_auth()


def keyed_channel(address: str, deadline_s: float = DEFAULT_DEADLINE_S) -> grpc.Channel:
    """A channel whose calls carry TEST_KEY."""
    return client_channel(address, deadline_s, api_key=TEST_KEY)
