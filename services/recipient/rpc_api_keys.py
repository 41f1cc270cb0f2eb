"""ApiKeyService: API keys as data (create, list, revoke, rotate) and VerifyApiKey, through
which every other service checks the keys it is shown; also the key store's own verifier."""

from __future__ import annotations

from collections.abc import Sequence

import grpc
from sqlalchemy.exc import SQLAlchemyError

from emailtrack.common.key_verifiers import (
    PROTO_FROM_SCOPE,
    SCOPE_FROM_PROTO,
    Principal,
    VerifierUnavailable,
    principal_from_key,
)
from emailtrack.common.rpc import rpc
from emailtrack.common.rpc_scopes import Scope
from emailtrack.v1 import api_keys_pb2 as pb
from emailtrack.v1 import api_keys_pb2_grpc
from services.recipient.domain.errors import InvalidArgument
from services.recipient.rpc_support import require_id, timestamp
from services.recipient.store.api_keys import ApiKeyRow, ApiKeyStore

MAX_NAME_LENGTH = 200
MAX_GRACE_S = 30 * 24 * 3600


def key_proto(row: ApiKeyRow) -> pb.ApiKey:
    key = pb.ApiKey(
        prefix=row.prefix,
        tenant_id=row.tenant_id,
        scopes=[PROTO_FROM_SCOPE[Scope(s)] for s in row.scopes],
        name=row.name,
        created_at=timestamp(row.created_at),
    )
    if row.revoked_at is not None:
        key.revoked_at.CopyFrom(timestamp(row.revoked_at))
    if row.last_used_at is not None:
        key.last_used_at.CopyFrom(timestamp(row.last_used_at))
    return key


def _scopes(values: Sequence[int]) -> list[str]:
    if not values:
        raise InvalidArgument("scopes must name at least one of send, read, admin")
    unknown = [v for v in values if v not in SCOPE_FROM_PROTO]
    if unknown:
        raise InvalidArgument(f"unknown scope {unknown[0]} (send, read, admin)")
    return sorted({SCOPE_FROM_PROTO[v].value for v in values})  # type: ignore[index]  # values checked against the table above


def _grace(value: int) -> int:
    if not 0 <= value <= MAX_GRACE_S:
        raise InvalidArgument(f"grace_seconds must be between 0 and {MAX_GRACE_S}")
    return value


def _prefix(value: str) -> str:
    return require_id(value, "prefix")


class ApiKeyServicer(api_keys_pb2_grpc.ApiKeyServiceServicer):
    """Requests arrive bound to the caller's tenant (the interceptor fills or checks
    ``tenant_id``); an empty ``tenant_id`` is only possible for operator keys and means
    every tenant when listing, revoking or rotating."""

    def __init__(self, store: ApiKeyStore) -> None:
        self.store = store

    @rpc
    def CreateApiKey(
        self, request: pb.CreateApiKeyRequest, context: grpc.ServicerContext
    ) -> pb.CreateApiKeyResponse:
        if not request.tenant_id:
            raise InvalidArgument("tenant_id is required ('*' for an operator key)")
        tenant_id = require_id(request.tenant_id, "tenant_id")
        if len(request.name) > MAX_NAME_LENGTH:
            raise InvalidArgument(f"name is longer than {MAX_NAME_LENGTH} characters")
        row, presented = self.store.create(tenant_id, _scopes(request.scopes), request.name)
        return pb.CreateApiKeyResponse(key=key_proto(row), secret=presented)

    @rpc
    def ListApiKeys(
        self, request: pb.ListApiKeysRequest, context: grpc.ServicerContext
    ) -> pb.ListApiKeysResponse:
        rows = self.store.list(request.tenant_id, request.include_revoked)
        return pb.ListApiKeysResponse(keys=[key_proto(r) for r in rows])

    @rpc
    def RevokeApiKey(
        self, request: pb.RevokeApiKeyRequest, context: grpc.ServicerContext
    ) -> pb.RevokeApiKeyResponse:
        row = self.store.revoke(
            request.tenant_id, _prefix(request.prefix), _grace(request.grace_seconds)
        )
        return pb.RevokeApiKeyResponse(key=key_proto(row))

    @rpc
    def RotateApiKey(
        self, request: pb.RotateApiKeyRequest, context: grpc.ServicerContext
    ) -> pb.RotateApiKeyResponse:
        new, presented, old = self.store.rotate(
            request.tenant_id, _prefix(request.prefix), _grace(request.grace_seconds)
        )
        return pb.RotateApiKeyResponse(key=key_proto(new), secret=presented, revoked=key_proto(old))

    @rpc
    def VerifyApiKey(
        self, request: pb.VerifyApiKeyRequest, context: grpc.ServicerContext
    ) -> pb.VerifyApiKeyResponse:
        row = self.store.verify(request.secret)
        if row is None:
            return pb.VerifyApiKeyResponse(valid=False)
        return pb.VerifyApiKeyResponse(valid=True, key=key_proto(row))


class StoreKeyVerifier:
    """The key store process checks keys in its own database (no call to itself)."""

    def __init__(self, store: ApiKeyStore) -> None:
        self.store = store

    def verify(self, presented: str) -> Principal | None:
        try:
            row = self.store.verify(presented)
        except SQLAlchemyError as exc:
            raise VerifierUnavailable("the key store cannot be read") from exc
        return None if row is None else principal_from_key(key_proto(row))
