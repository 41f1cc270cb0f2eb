"""Whether a token may be answered on the host it names: the deployment's own host (that of
``EMAILTRACK_PUBLIC_BASE_URL``) serves every tenant; any other host only the tenant it is
verified for *now*, as the tracking edge says (``LookupTrackingDomain``). So a domain a tenant
removed, or that lost its verification, stops serving that tenant's old links, and a domain
verified later by another tenant never serves them.

Answers are cached per worker for ``ttl_s`` (a removal shows within it). When the tracking edge
cannot be asked, the last answer is used while younger than ``stale_s``; with none, the token is
refused (fail closed: the reader sees the "link not valid" page)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import grpc
from starlette.concurrency import run_in_threadpool

from emailtrack.common.config import GrpcTls
from emailtrack.common.grpc_server import client_channel
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc

log = logging.getLogger(__name__)

OWNER_TTL_S = 30.0
OWNER_STALE_S = 600.0
LOOKUP_DEADLINE_S = 2.0  # a reader is waiting for the redirect
MAX_CACHED_HOSTS = 10_000


class DomainOwners:
    def __init__(
        self,
        tracking_edge_addr: str,
        public_base_url: str,
        service_key: str = "",
        tls: GrpcTls | None = None,
        ttl_s: float = OWNER_TTL_S,
        stale_s: float = OWNER_STALE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tracking_edge_addr = tracking_edge_addr
        self.default_host = (urlsplit(public_base_url).hostname or "").rstrip(".")
        self.service_key = service_key
        self.tls = tls
        self.ttl_s = ttl_s
        self.stale_s = stale_s
        self.clock = clock
        self._owners: dict[str, tuple[float, str]] = {}  # host -> (fetched at, owner tenant)
        self._lock = threading.Lock()
        self._stub: tracking_edge_pb2_grpc.TrackingEdgeServiceStub | None = None

    def answer_at_hand(self, host: str, tenant_id: str) -> bool | None:
        """``serves`` when it needs no lookup (the deployment's own host, or an answer cached
        less than ``ttl_s`` ago), else None: the hot path awaits nothing when it can."""
        if host == self.default_host:
            return True
        cached = self._cached(host, self.ttl_s)
        return None if cached is None else bool(cached) and cached == tenant_id

    async def serves(self, host: str, tenant_id: str) -> bool:
        """Whether a token of ``tenant_id`` naming ``host`` may be answered on ``host``."""
        known = self.answer_at_hand(host, tenant_id)
        if known is not None:
            return known
        owner = await run_in_threadpool(self._lookup, host)
        return bool(owner) and owner == tenant_id

    def _cached(self, host: str, max_age_s: float) -> str | None:
        with self._lock:
            entry = self._owners.get(host)
        if entry is None or self.clock() - entry[0] >= max_age_s:
            return None
        return entry[1]

    def _lookup(self, host: str) -> str:
        try:
            reply = self._tracking_edge().LookupTrackingDomain(
                tracking_edge_pb2.LookupTrackingDomainRequest(domain=host),
                timeout=LOOKUP_DEADLINE_S,
            )
        except grpc.RpcError as exc:
            stale = self._cached(host, self.stale_s)
            log.warning(
                "tracking domain lookup of %s failed (%s); %s",
                host,
                exc.code() if isinstance(exc, grpc.Call) else exc,
                "using the last answer" if stale is not None else "refusing its tokens",
            )
            return stale or ""
        with self._lock:
            if len(self._owners) >= MAX_CACHED_HOSTS:
                self._owners.pop(next(iter(self._owners)))  # the oldest entry
            self._owners[host] = (self.clock(), reply.owner_tenant_id)
        return reply.owner_tenant_id

    def _tracking_edge(self) -> tracking_edge_pb2_grpc.TrackingEdgeServiceStub:
        """The stub, on one channel created at the first lookup (lookups run in threads)."""
        with self._lock:
            if self._stub is None:
                channel = client_channel(
                    self.tracking_edge_addr, api_key=self.service_key or None, tls=self.tls
                )
                self._stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
            return self._stub
