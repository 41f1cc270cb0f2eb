"""The credential in-process test servers accept and test channels carry: one service key
with every scope, for tests that are not about authentication (tests/security are)."""

from __future__ import annotations

import grpc

from emailtrack.common.credentials import single_key_auth
from emailtrack.common.grpc_server import DEFAULT_DEADLINE_S, client_channel

TEST_KEY = "test-service-key-0123456789abcdefghijklmnop"
TEST_AUTH = single_key_auth(TEST_KEY)


def keyed_channel(address: str, deadline_s: float = DEFAULT_DEADLINE_S) -> grpc.Channel:
    """A channel whose calls carry TEST_KEY."""
    return client_channel(address, deadline_s, api_key=TEST_KEY)
