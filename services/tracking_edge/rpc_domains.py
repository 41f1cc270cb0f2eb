"""Tracking domain RPCs (register, verify by DNS TXT, list, remove, and the gateway's lookup of
a hostname's tenant): proto <-> TenantDomains, domain errors <-> gRPC status codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import grpc

from emailtrack.common.errors import InvalidArgument, Unimplemented
from emailtrack.common.rpc import rpc
from emailtrack.v1 import tracking_edge_pb2
from services.tracking_edge.domain.domains import (
    MAX_DOMAIN_LENGTH,
    TrackingDomain,
    txt_record_name,
    txt_record_value,
)
from services.tracking_edge.tenant_domains import TenantDomains

Reply = TypeVar("Reply")
MAX_TENANT_LENGTH = 256


def domain_proto(domain: TrackingDomain) -> tracking_edge_pb2.TrackingDomain:
    message = tracking_edge_pb2.TrackingDomain(
        tenant_id=domain.tenant_id,
        domain=domain.domain,
        verified=domain.verified,
        txt_record_name=txt_record_name(domain.domain),
        txt_record_value=txt_record_value(domain.verification_token),
    )
    if domain.verified_at is not None:
        message.verified_at.FromDatetime(domain.verified_at)
    if domain.check_failing_since is not None:
        message.check_failing_since.FromDatetime(domain.check_failing_since)
    return message


class TrackingDomainRpcs:
    """The tracking-domain half of TrackingEdgeService (mixed into the servicer)."""

    domains: TenantDomains | None

    def _call(
        self,
        tenant_id: str,
        context: grpc.ServicerContext,
        action: Callable[[TenantDomains], Reply],
    ) -> Reply:
        if self.domains is None:
            raise Unimplemented("tracking domains are not enabled")
        if not tenant_id or len(tenant_id) > MAX_TENANT_LENGTH or not tenant_id.isprintable():
            raise InvalidArgument("tenant_id is required (printable)")
        return action(self.domains)

    @rpc
    def RegisterTrackingDomain(
        self,
        request: tracking_edge_pb2.RegisterTrackingDomainRequest,
        context: grpc.ServicerContext,
    ) -> tracking_edge_pb2.RegisterTrackingDomainResponse:
        domain = self._call(
            request.tenant_id, context, lambda d: d.register(request.tenant_id, request.domain)
        )
        return tracking_edge_pb2.RegisterTrackingDomainResponse(domain=domain_proto(domain))

    @rpc
    def VerifyTrackingDomain(
        self,
        request: tracking_edge_pb2.VerifyTrackingDomainRequest,
        context: grpc.ServicerContext,
    ) -> tracking_edge_pb2.VerifyTrackingDomainResponse:
        domain = self._call(
            request.tenant_id, context, lambda d: d.verify(request.tenant_id, request.domain)
        )
        return tracking_edge_pb2.VerifyTrackingDomainResponse(domain=domain_proto(domain))

    @rpc
    def ListTrackingDomains(
        self,
        request: tracking_edge_pb2.ListTrackingDomainsRequest,
        context: grpc.ServicerContext,
    ) -> tracking_edge_pb2.ListTrackingDomainsResponse:
        domains = self._call(request.tenant_id, context, lambda d: d.of_tenant(request.tenant_id))
        return tracking_edge_pb2.ListTrackingDomainsResponse(
            domains=[domain_proto(domain) for domain in domains]
        )

    @rpc
    def RemoveTrackingDomain(
        self,
        request: tracking_edge_pb2.RemoveTrackingDomainRequest,
        context: grpc.ServicerContext,
    ) -> tracking_edge_pb2.RemoveTrackingDomainResponse:
        removed = self._call(
            request.tenant_id, context, lambda d: d.remove(request.tenant_id, request.domain)
        )
        return tracking_edge_pb2.RemoveTrackingDomainResponse(removed=removed)

    @rpc
    def LookupTrackingDomain(
        self,
        request: tracking_edge_pb2.LookupTrackingDomainRequest,
        context: grpc.ServicerContext,
    ) -> tracking_edge_pb2.LookupTrackingDomainResponse:
        if self.domains is None:
            raise Unimplemented("tracking domains are not enabled")
        if len(request.domain) > MAX_DOMAIN_LENGTH:
            raise InvalidArgument(f"domain must be at most {MAX_DOMAIN_LENGTH} characters")
        return tracking_edge_pb2.LookupTrackingDomainResponse(
            owner_tenant_id=self.domains.owner(request.domain)
        )
