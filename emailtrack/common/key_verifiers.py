"""Who a presented credential belongs to: service keys from configuration (checked locally),
API keys through the recipient service's ApiKeyService (the key store's owner), a short
cache in front so that a revoked key is refused within ``ttl_s`` on every replica."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import grpc

from emailtrack.common.api_keys import split_key
from emailtrack.common.config import ConfigError
from emailtrack.common.rpc_scopes import Scope
from emailtrack.v1 import api_keys_pb2, api_keys_pb2_grpc

ALL_TENANTS = "*"
SCOPE_FROM_PROTO = {
    api_keys_pb2.API_KEY_SCOPE_SEND: Scope.SEND,
    api_keys_pb2.API_KEY_SCOPE_READ: Scope.READ,
    api_keys_pb2.API_KEY_SCOPE_ADMIN: Scope.ADMIN,
}
PROTO_FROM_SCOPE = {scope: value for value, scope in SCOPE_FROM_PROTO.items()}
VERIFY_DEADLINE_S = 3.0
MAX_CACHED = 10_000


@dataclass(frozen=True)
class Principal:
    """Who is calling: ``name`` is the key prefix (or ``service:<name>``) and the rate-limit
    bucket; ``tenant_id`` is ``*`` for operator and service credentials."""

    name: str
    tenant_id: str
    scopes: frozenset[Scope]
    service: bool = False


class VerifierUnavailable(Exception):
    """The key store could not be asked; the call is refused (UNAVAILABLE), never let in."""


class KeyVerifier(Protocol):
    def verify(self, presented: str) -> Principal | None: ...


def _digest(presented: str) -> bytes:
    return hashlib.sha256(presented.encode()).digest()


def parse_scopes(raw: str) -> frozenset[Scope]:
    try:
        return frozenset(Scope(item.strip()) for item in raw.split("+") if item.strip())
    except ValueError as exc:
        raise ConfigError(f"unknown scope in {raw!r} (send, read, admin, internal)") from exc


@dataclass(frozen=True)
class ServiceKey:
    name: str
    scopes: frozenset[Scope]
    key_sha256: bytes


class ServiceKeys:
    """Service-to-service credentials, configured as ``name:scope+scope:sha256hex`` items
    (``EMAILTRACK_SERVICE_KEYS``): only the keys' SHA-256 is configured on the servers."""

    def __init__(self, keys: Iterable[ServiceKey]) -> None:
        self.keys = tuple(keys)

    @classmethod
    def parse(cls, items: Sequence[str]) -> ServiceKeys:
        keys = []
        for item in items:
            name, _, rest = item.partition(":")
            scopes, _, hexdigest = rest.rpartition(":")
            try:
                digest = bytes.fromhex(hexdigest)
            except ValueError as exc:
                raise ConfigError(f"service key {name!r}: the SHA-256 must be hex") from exc
            if not name or len(digest) != 32:
                raise ConfigError("EMAILTRACK_SERVICE_KEYS items are 'name:scope+scope:sha256hex'")
            keys.append(ServiceKey(name, parse_scopes(scopes), digest))
        return cls(keys)

    def verify(self, presented: str) -> Principal | None:
        digest = _digest(presented)
        found = None
        for key in self.keys:  # every entry is compared: the time does not say which matched
            if hmac.compare_digest(digest, key.key_sha256):
                found = key
        if found is None:
            return None
        return Principal(f"service:{found.name}", ALL_TENANTS, found.scopes, service=True)


def principal_from_key(key: api_keys_pb2.ApiKey) -> Principal:
    scopes = frozenset(SCOPE_FROM_PROTO[s] for s in key.scopes if s in SCOPE_FROM_PROTO)
    return Principal(key.prefix, key.tenant_id, scopes)


class RemoteKeyVerifier:
    """Asks ApiKeyService/VerifyApiKey (with this process's own service credential); what
    is not shaped like an API key is refused without asking."""

    def __init__(self, channel: grpc.Channel) -> None:
        self.stub = api_keys_pb2_grpc.ApiKeyServiceStub(channel)

    def verify(self, presented: str) -> Principal | None:
        if split_key(presented) is None:
            return None
        try:
            reply = self.stub.VerifyApiKey(
                api_keys_pb2.VerifyApiKeyRequest(secret=presented), timeout=VERIFY_DEADLINE_S
            )
        except grpc.RpcError as exc:
            raise VerifierUnavailable(str(exc.code())) from exc
        return principal_from_key(reply.key) if reply.valid else None


class FirstMatch:
    """Tries each verifier in turn (service keys first: no network)."""

    def __init__(self, *verifiers: KeyVerifier) -> None:
        self.verifiers = verifiers

    def verify(self, presented: str) -> Principal | None:
        for verifier in self.verifiers:
            principal = verifier.verify(presented)
            if principal is not None:
                return principal
        return None


class CachedVerifier:
    """Remembers answers for ``ttl_s`` (keyed by the key's SHA-256, not the key): a revoked
    key keeps working at most that long on a replica; a failure to verify is not cached."""

    def __init__(
        self, inner: KeyVerifier, ttl_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.inner = inner
        self.ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[bytes, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def verify(self, presented: str) -> Principal | None:
        digest = _digest(presented)
        now = self._clock()
        with self._lock:
            cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        principal = self.inner.verify(presented)
        with self._lock:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
            self._cache[digest] = (now + self.ttl_s, principal)
        return principal
