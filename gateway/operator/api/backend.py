"""The gRPC services as the dashboard and the JSON API see them: blocking stubs called in
worker threads (the event loop never waits on the network), gRPC errors turned into
``ServiceError`` with the HTTP status they deserve, and the live WatchCampaign stream."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from starlette.concurrency import run_in_threadpool

from emailtrack.common.grpc_server import client_channel
from emailtrack.common.key_verifiers import CachedVerifier, KeyVerifier, RemoteKeyVerifier
from emailtrack.v1 import (
    analytics_pb2,
    analytics_pb2_grpc,
    api_keys_pb2_grpc,
    campaign_pb2_grpc,
    recipient_pb2_grpc,
    tracking_edge_pb2_grpc,
    webhooks_pb2_grpc,
)
from gateway.config import OperatorSettings
from gateway.operator.api.credentials import forwarded_metadata

Reply = TypeVar("Reply")

# The one gRPC -> HTTP status table of the operator side (API, dashboard, webhooks).
HTTP_STATUS = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}
CLIENT_ERRORS = frozenset(code for code, status in HTTP_STATUS.items() if status < 500)
WATCH_DEADLINE_S = 3600.0
KEY_CACHE_S = 5.0


class ServiceError(Exception):
    """A service refused or failed a call; ``status`` is the HTTP status to answer with.
    Only client errors carry the service's message (server details are not leaked)."""

    def __init__(self, status: int, code: str, message: str, retry_after: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @classmethod
    def from_rpc(cls, exc: grpc.RpcError) -> ServiceError:
        code: grpc.StatusCode = exc.code()
        status = HTTP_STATUS.get(code, 502)
        details = exc.details() if code in CLIENT_ERRORS else ""
        retry_after = ""
        if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
            trailers = {m.key: m.value for m in exc.trailing_metadata() or ()}
            retry_after = str(trailers.get("retry-after", "1"))
        message = details or code.name.lower().replace("_", " ")
        return cls(status, code.name.lower(), message, retry_after)


class Backend:
    """Channels to analytics, recipient (and its CampaignService and ApiKeyService),
    tracking-edge, bounce and webhooks, opened lazily once per process; calls carry the API key of
    the /api/v1 request being served, else the gateway's own service key."""

    SERVICES = ("analytics", "recipient", "tracking_edge", "bounce", "webhooks")

    def __init__(
        self,
        settings: OperatorSettings,
        channel_factory: Callable[[str], grpc.Channel] | None = None,
    ) -> None:
        self.settings = settings
        self._channel_factory = channel_factory or functools.partial(
            client_channel, api_key=settings.service_key or None, tls=settings.grpc_tls
        )
        self._channels: dict[str, grpc.Channel] = {}
        self._key_verifier: KeyVerifier | None = None

    def channel(self, service: str) -> grpc.Channel:
        if service not in self._channels:
            address = getattr(self.settings, f"{service}_addr")
            self._channels[service] = self._channel_factory(address)
        return self._channels[service]

    @property
    def analytics(self) -> analytics_pb2_grpc.AnalyticsServiceStub:
        return analytics_pb2_grpc.AnalyticsServiceStub(self.channel("analytics"))

    @property
    def recipient(self) -> recipient_pb2_grpc.RecipientServiceStub:
        return recipient_pb2_grpc.RecipientServiceStub(self.channel("recipient"))

    @property
    def campaigns(self) -> campaign_pb2_grpc.CampaignServiceStub:
        """CampaignService is served by the recipient process, on the same address."""
        return campaign_pb2_grpc.CampaignServiceStub(self.channel("recipient"))

    @property
    def api_keys(self) -> api_keys_pb2_grpc.ApiKeyServiceStub:
        """ApiKeyService is served by the recipient process, on the same address."""
        return api_keys_pb2_grpc.ApiKeyServiceStub(self.channel("recipient"))

    @property
    def key_verifier(self) -> KeyVerifier:
        """API keys checked by the key store (over the gateway's service key), cached."""
        if self._key_verifier is None:
            remote = RemoteKeyVerifier(self.channel("recipient"))
            self._key_verifier = CachedVerifier(remote, KEY_CACHE_S)
        return self._key_verifier

    @property
    def tracking_edge(self) -> tracking_edge_pb2_grpc.TrackingEdgeServiceStub:
        return tracking_edge_pb2_grpc.TrackingEdgeServiceStub(self.channel("tracking_edge"))

    @property
    def webhooks(self) -> webhooks_pb2_grpc.WebhookServiceStub:
        return webhooks_pb2_grpc.WebhookServiceStub(self.channel("webhooks"))

    async def call(self, method: Callable[..., Reply], request: Any) -> Reply:
        """Runs one unary call in a worker thread; raises ServiceError on failure."""
        try:
            return await run_in_threadpool(method, request, metadata=forwarded_metadata())
        except grpc.RpcError as exc:
            raise ServiceError.from_rpc(exc) from exc

    async def health(self) -> dict[str, str]:
        """``serving`` / ``not_serving`` / ``unavailable`` per service."""

        def check(service: str) -> str:
            stub = health_pb2_grpc.HealthStub(self.channel(service))
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
            except grpc.RpcError:
                return "unavailable"
            serving = reply.status == health_pb2.HealthCheckResponse.SERVING
            return "serving" if serving else "not_serving"

        results = await asyncio.gather(*(run_in_threadpool(check, s) for s in self.SERVICES))
        return dict(zip(self.SERVICES, results, strict=True))

    def watch(
        self, tenant_id: str, campaign_id: str, heartbeat_s: float, recent_events: int = 0
    ) -> AsyncIterator[analytics_pb2.WatchCampaignResponse | None]:
        """WatchCampaign updates as they come (the first with the ``recent_events`` latest
        stored events); ``None`` after ``heartbeat_s`` without one."""
        request = analytics_pb2.WatchCampaignRequest(
            tenant_id=tenant_id, campaign_id=campaign_id, recent_events=recent_events
        )
        return self._updates(self.analytics.WatchCampaign, request, heartbeat_s)

    def watch_list(
        self, tenant_id: str, page_token: str, heartbeat_s: float
    ) -> AsyncIterator[analytics_pb2.WatchCampaignListResponse | None]:
        """WatchCampaignList updates of one page of campaigns; ``None`` as ``watch``."""
        request = analytics_pb2.WatchCampaignListRequest(tenant_id=tenant_id, page_token=page_token)
        return self._updates(self.analytics.WatchCampaignList, request, heartbeat_s)

    async def _updates(
        self, method: Callable[..., Any], request: Any, heartbeat_s: float
    ) -> AsyncIterator[Any]:
        """A server stream's updates as they come; ``None`` after ``heartbeat_s`` without one
        (so the caller can keep its connection alive). The call is cancelled when the caller
        stops iterating, which also frees the thread waiting for the next update."""
        stream = method(request, timeout=WATCH_DEADLINE_S, metadata=forwarded_metadata())
        pending: asyncio.Future[Any] | None = None
        try:
            while True:
                if pending is None:
                    pending = asyncio.ensure_future(run_in_threadpool(next, stream, None))
                done, _ = await asyncio.wait({pending}, timeout=heartbeat_s)
                if not done:
                    yield None
                    continue
                try:
                    update = pending.result()
                except grpc.RpcError as exc:
                    raise ServiceError.from_rpc(exc) from exc
                pending = None
                if update is None:
                    return
                yield update
        finally:
            stream.cancel()
            if pending is not None:
                with contextlib.suppress(grpc.RpcError, asyncio.CancelledError):
                    await pending

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()
