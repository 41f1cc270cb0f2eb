"""API keys as the JSON API and the CLI show them (never the secret, except in the reply that
creates a key), and the scope names they accept."""

from __future__ import annotations

from typing import Any

from emailtrack.common.key_verifiers import PROTO_FROM_SCOPE, SCOPE_FROM_PROTO
from emailtrack.common.rpc_scopes import Scope
from emailtrack.v1 import api_keys_pb2

KEY_SCOPES = {s.value: PROTO_FROM_SCOPE[s] for s in (Scope.SEND, Scope.READ, Scope.ADMIN)}


def key_view(key: api_keys_pb2.ApiKey) -> dict[str, Any]:
    def moment(field: str) -> str | None:
        return getattr(key, field).ToJsonString() if key.HasField(field) else None

    return {
        "prefix": key.prefix,
        "tenant_id": key.tenant_id,
        "scopes": [SCOPE_FROM_PROTO[s].value for s in key.scopes if s in SCOPE_FROM_PROTO],
        "name": key.name,
        "created_at": moment("created_at"),
        "revoked_at": moment("revoked_at"),
        "last_used_at": moment("last_used_at"),
    }
