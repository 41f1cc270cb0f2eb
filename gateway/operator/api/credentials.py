"""Who is calling /api/v1: an API key (``Authorization: Bearer et_…``, verified by the key
store through a short cache and then forwarded on the gRPC calls made for the request, so
that the services apply the key's scopes, tenant and rate limit), or one of the bootstrap
tokens from EMAILTRACK_API_TOKENS (bound to a tenant; the calls carry the gateway's own
service key)."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from emailtrack.common.grpc_auth import bearer
from emailtrack.common.key_verifiers import ALL_TENANTS, KeyVerifier, VerifierUnavailable

_forwarded_key: ContextVar[str] = ContextVar("forwarded_api_key", default="")


class Unauthorized(Exception):
    pass


class Forbidden(Exception):
    pass


class KeyStoreUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Caller:
    tenant_id: str
    api_key: str  # "" for a bootstrap token


def forwarded_metadata() -> tuple[tuple[str, str], ...]:
    """The ``authorization`` metadata for gRPC calls made for the current request."""
    key = _forwarded_key.get()
    return (("authorization", f"Bearer {key}"),) if key else ()


@contextmanager
def forwarding(caller: Caller) -> Iterator[None]:
    token = _forwarded_key.set(caller.api_key)
    try:
        yield
    finally:
        _forwarded_key.reset(token)


class ApiCredentials:
    def __init__(
        self, tokens: tuple[tuple[str, str], ...], verifier: Callable[[], KeyVerifier]
    ) -> None:
        self.tokens = tokens
        self.verifier = verifier  # built on first use: the channel opens lazily

    def _bootstrap_tenant(self, credential: str) -> str | None:
        found = None
        for token, tenant_id in self.tokens:
            if hmac.compare_digest(token.encode(), credential.encode()):
                found = tenant_id
        return found

    async def authenticate(self, request: Request) -> Caller:
        credential = bearer({"authorization": request.headers.get("authorization", "")})
        if credential is None:
            raise Unauthorized
        tenant_id = self._bootstrap_tenant(credential)
        if tenant_id is not None:
            return Caller(tenant_id, "")
        try:
            principal = await run_in_threadpool(self.verifier().verify, credential)
        except VerifierUnavailable as exc:
            raise KeyStoreUnavailable from exc
        if principal is None:
            raise Unauthorized
        if principal.tenant_id == ALL_TENANTS:
            raise Forbidden
        return Caller(principal.tenant_id, credential)
