"""WebhookService: endpoints (create, list, update, delete, rotate the secret), the
delivery log and replays. Thin: validation here, rows in the stores, errors through @rpc.
An endpoint URL is checked at creation (scheme, no credentials, and a literal address must be
public or allow-listed); host names are checked again at every delivery, after resolution."""

from __future__ import annotations

import ipaddress
from datetime import UTC, timedelta

import grpc

from emailtrack.common.errors import InvalidArgument
from emailtrack.common.rpc import rpc
from emailtrack.v1 import webhooks_pb2, webhooks_pb2_grpc
from services.webhooks.codec import STATUS_FROM_PROTO, delivery_to_proto, endpoint_to_proto
from services.webhooks.domain.destinations import (
    IPNetwork,
    RefusedDestination,
    check_address,
    parse_url,
)
from services.webhooks.domain.events import InvalidFilter, normalise_filter
from services.webhooks.store.deliveries import DeliveryStore
from services.webhooks.store.endpoints import EndpointStore

MAX_DESCRIPTION = 500
MAX_ID = 128
DEFAULT_LIMIT, MAX_LIMIT = 50, 500
MAX_GRACE = timedelta(days=7)


def _tenant(tenant_id: str) -> str:
    if not tenant_id or len(tenant_id) > MAX_ID:
        raise InvalidArgument("tenant_id is required (at most 128 characters)")
    return tenant_id


def _page_start(token: str) -> int | None:
    """The delivery id a ``next_page_token`` continues below (None: the newest)."""
    if not token:
        return None
    if not token.isdecimal() or len(token) > 19:
        raise InvalidArgument("page_token is not a token this service returned")
    return int(token)


def _events(entries: list[str]) -> list[str]:
    try:
        return normalise_filter(entries)
    except InvalidFilter as exc:
        raise InvalidArgument(str(exc)) from exc


class WebhookServicer(webhooks_pb2_grpc.WebhookServiceServicer):
    def __init__(
        self,
        endpoints: EndpointStore,
        deliveries: DeliveryStore,
        allowed: tuple[IPNetwork, ...],
        rotation_grace: timedelta,
    ) -> None:
        self.endpoints = endpoints
        self.deliveries = deliveries
        self.allowed = allowed
        self.rotation_grace = rotation_grace

    def _url(self, url: str) -> str:
        try:
            destination = parse_url(url)
            try:
                literal = ipaddress.ip_address(destination.host)
            except ValueError:
                return url.strip()
            check_address(literal, self.allowed)
        except RefusedDestination as exc:
            raise InvalidArgument(f"url: {exc}") from exc
        return url.strip()

    def _endpoint_filter(self, tenant_id: str, endpoint_id: str) -> str:
        """``endpoint_id`` when it names one of the tenant's endpoints (NotFound otherwise),
        "" for every endpoint."""
        if endpoint_id:
            self.endpoints.get(tenant_id, endpoint_id)
        return endpoint_id

    @rpc
    def CreateEndpoint(
        self, request: webhooks_pb2.CreateEndpointRequest, context: grpc.ServicerContext
    ) -> webhooks_pb2.CreateEndpointResponse:
        if len(request.description) > MAX_DESCRIPTION:
            raise InvalidArgument(f"description longer than {MAX_DESCRIPTION} characters")
        endpoint, secret = self.endpoints.create(
            _tenant(request.tenant_id),
            self._url(request.url),
            _events(list(request.events)),
            request.batch,
            request.description,
        )
        return webhooks_pb2.CreateEndpointResponse(
            endpoint=endpoint_to_proto(endpoint), secret=secret
        )

    @rpc
    def ListEndpoints(
        self, request: webhooks_pb2.ListEndpointsRequest, context: grpc.ServicerContext
    ) -> webhooks_pb2.ListEndpointsResponse:
        found = self.endpoints.of_tenant(_tenant(request.tenant_id))
        return webhooks_pb2.ListEndpointsResponse(endpoints=[endpoint_to_proto(e) for e in found])

    @rpc
    def UpdateEndpoint(
        self, request: webhooks_pb2.UpdateEndpointRequest, context: grpc.ServicerContext
    ) -> webhooks_pb2.UpdateEndpointResponse:
        if request.enable and request.disable:
            raise InvalidArgument("enable and disable are exclusive")
        enabled = True if request.enable else False if request.disable else None
        endpoint = self.endpoints.update(
            _tenant(request.tenant_id),
            request.endpoint_id,
            events=_events(list(request.events)) if request.update_events else None,
            batch=request.batch if request.update_batch else None,
            enabled=enabled,
        )
        return webhooks_pb2.UpdateEndpointResponse(endpoint=endpoint_to_proto(endpoint))

    @rpc
    def DeleteEndpoint(
        self, request: webhooks_pb2.DeleteEndpointRequest, context: grpc.ServicerContext
    ) -> webhooks_pb2.DeleteEndpointResponse:
        self.endpoints.delete(_tenant(request.tenant_id), request.endpoint_id)
        return webhooks_pb2.DeleteEndpointResponse()

    @rpc
    def RotateEndpointSecret(
        self, request: webhooks_pb2.RotateEndpointSecretRequest, context: grpc.ServicerContext
    ) -> webhooks_pb2.RotateEndpointSecretResponse:
        if not 0 <= request.grace_seconds <= MAX_GRACE.total_seconds():
            raise InvalidArgument(
                f"grace_seconds must be between 0 and {int(MAX_GRACE.total_seconds())}"
            )
        grace = timedelta(seconds=request.grace_seconds) or self.rotation_grace
        secret = self.endpoints.rotate(_tenant(request.tenant_id), request.endpoint_id, grace)
        return webhooks_pb2.RotateEndpointSecretResponse(secret=secret)

    @rpc
    def ListDeliveries(
        self, request: webhooks_pb2.ListDeliveriesRequest, context: grpc.ServicerContext
    ) -> webhooks_pb2.ListDeliveriesResponse:
        if not 0 <= request.limit <= MAX_LIMIT:
            raise InvalidArgument(f"limit must be between 0 and {MAX_LIMIT}")
        limit = request.limit or DEFAULT_LIMIT
        tenant_id = _tenant(request.tenant_id)
        rows = self.deliveries.log(
            tenant_id,
            self._endpoint_filter(tenant_id, request.endpoint_id),
            STATUS_FROM_PROTO.get(request.status, ""),
            limit + 1,
            _page_start(request.page_token),
        )
        more = len(rows) > limit
        rows = rows[:limit]
        return webhooks_pb2.ListDeliveriesResponse(
            deliveries=[delivery_to_proto(r) for r in rows],
            next_page_token=str(rows[-1].delivery_id) if more else "",
        )

    @rpc
    def ReplayDeliveries(
        self, request: webhooks_pb2.ReplayDeliveriesRequest, context: grpc.ServicerContext
    ) -> webhooks_pb2.ReplayDeliveriesResponse:
        since = request.since.ToDatetime(tzinfo=UTC) if request.HasField("since") else None
        until = request.until.ToDatetime(tzinfo=UTC) if request.HasField("until") else None
        if not request.failed_only and since is None and until is None:
            raise InvalidArgument("give failed_only or a time range (since/until)")
        if since is not None and until is not None and since >= until:
            raise InvalidArgument("since must be before until")
        tenant_id = _tenant(request.tenant_id)
        scheduled = self.deliveries.replay(
            tenant_id,
            self._endpoint_filter(tenant_id, request.endpoint_id),
            request.failed_only,
            since,
            until,
        )
        return webhooks_pb2.ReplayDeliveriesResponse(scheduled=scheduled)
