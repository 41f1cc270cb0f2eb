"""Credentials of a local platform: one service key per component (scoped; servers are told
only their SHA-256) kept in the state folder, and the first admin API key, created through
ApiKeyService when the key store holds none and kept in ``<state>/admin-key`` (0600) so that
the CLI and the demo on this machine find it."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from emailtrack.common.grpc_server import client_channel
from emailtrack.v1 import api_keys_pb2, api_keys_pb2_grpc

# What each component may do when it calls another; "platform" is `emailtrack up` itself
# (it creates the first admin key). The gateway serves the dashboard and the env-token
# bootstrap of /api/v1 for every tenant, and forwards ESP webhooks.
SERVICE_SCOPES = {
    "gateway": "send+read+admin+internal",
    "recipient": "read+internal",
    "bounce": "internal",
    "analytics": "internal",
    "tracking-edge": "internal",
    "webhooks": "internal",
    "platform": "admin",
}
ADMIN_KEY_FILE = "admin-key"
ALL_SCOPES = [
    api_keys_pb2.API_KEY_SCOPE_SEND,
    api_keys_pb2.API_KEY_SCOPE_READ,
    api_keys_pb2.API_KEY_SCOPE_ADMIN,
]


def service_keys(state_dir: Path) -> dict[str, str]:
    """``name → key`` for every component, made once in ``<state>/service-keys`` (0600)."""
    path = state_dir / "service-keys"
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, _, key = line.partition(":")
            if name and key:
                known[name] = key
    missing = [name for name in SERVICE_SCOPES if name not in known]
    if missing:
        known.update({name: f"et_svc_{secrets.token_urlsafe(32)}" for name in missing})
        path.write_text("".join(f"{n}:{k}\n" for n, k in known.items()))
        path.chmod(0o600)
    return known


def accepted_service_keys(keys: dict[str, str]) -> str:
    """The ``EMAILTRACK_SERVICE_KEYS`` value: ``name:scopes:sha256hex`` items."""
    return ",".join(
        f"{name}:{scopes}:{hashlib.sha256(keys[name].encode()).hexdigest()}"
        for name, scopes in SERVICE_SCOPES.items()
    )


def ensure_admin_key(state_dir: Path, key_store_addr: str, platform_key: str) -> tuple[str, bool]:
    """The local admin key and whether it was just created. When the store already holds
    keys but ``<state>/admin-key`` is missing or no longer works, returns ``("", False)``."""
    path = state_dir / ADMIN_KEY_FILE
    with client_channel(key_store_addr, api_key=platform_key) as channel:
        stub = api_keys_pb2_grpc.ApiKeyServiceStub(channel)
        active = stub.ListApiKeys(api_keys_pb2.ListApiKeysRequest()).keys
        saved = path.read_text().strip() if path.exists() else ""
        if saved and any(saved.startswith(f"et_{key.prefix}_") for key in active):
            return saved, False
        if active:
            return "", False
        reply = stub.CreateApiKey(
            api_keys_pb2.CreateApiKeyRequest(
                tenant_id="*", scopes=ALL_SCOPES, name="first admin key (emailtrack up)"
            )
        )
    path.write_text(reply.secret + "\n")
    path.chmod(0o600)
    return reply.secret, True
