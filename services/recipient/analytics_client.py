"""Engagement data held by the analytics service, asked over gRPC (never from its tables)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import grpc

from emailtrack.common.errors import Unavailable
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc, events_pb2


class AnalyticsUnavailable(Unavailable, RuntimeError):
    """Analytics could not answer (down, unreachable or timed out)."""


class AnalyticsClient:
    def __init__(self, channel: grpc.Channel, address: str) -> None:
        self.stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        self.address = address

    def _failed(self, what: str, exc: grpc.RpcError) -> AnalyticsUnavailable:
        code = exc.code() if isinstance(exc, grpc.Call) else None
        name = code.name if code else "error"
        details = exc.details() if isinstance(exc, grpc.Call) else str(exc)
        return AnalyticsUnavailable(
            f"analytics service at {self.address} could not answer {what} ({name}: {details})"
        )

    def engagement(self, tenant_id: str, recipient_id: str) -> analytics_pb2.RecipientEngagement:
        request = analytics_pb2.GetRecipientEngagementRequest(
            tenant_id=tenant_id, recipient_id=recipient_id
        )
        try:
            return self.stub.GetRecipientEngagement(request).engagement
        except grpc.RpcError as exc:
            raise self._failed("GetRecipientEngagement", exc) from exc

    def events(self, tenant_id: str, recipient_id: str) -> list[events_pb2.Event]:
        request = analytics_pb2.ExportRecipientEventsRequest(
            tenant_id=tenant_id, recipient_id=recipient_id
        )
        try:
            return list(self.stub.ExportRecipientEvents(request).events)
        except grpc.RpcError as exc:
            raise self._failed("ExportRecipientEvents", exc) from exc

    def mailbox_stats(
        self, tenant_id: str, mailboxes: Sequence[str]
    ) -> list[analytics_pb2.MailboxStats]:
        request = analytics_pb2.ListMailboxStatsRequest(tenant_id=tenant_id, mailboxes=mailboxes)
        try:
            return list(self.stub.ListMailboxStats(request).mailboxes)
        except grpc.RpcError as exc:
            raise self._failed("ListMailboxStats", exc) from exc

    def tracked_events(self, tenant_id: str, start: datetime, end: datetime) -> int:
        request = analytics_pb2.GetTrackedUsageRequest(tenant_id=tenant_id)
        request.start.FromDatetime(start)
        request.end.FromDatetime(end)
        try:
            return self.stub.GetTrackedUsage(request).tracked_events
        except grpc.RpcError as exc:
            raise self._failed("GetTrackedUsage", exc) from exc
