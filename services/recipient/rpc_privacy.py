"""RPCs on suppression (sendability, manual suppress/unsuppress, audit, unsubscribe) and
privacy (tracking opt-out, GDPR export and erasure, engagement summary from analytics)."""

from __future__ import annotations

import json

import grpc
from google.protobuf.json_format import MessageToDict

from emailtrack.common.rpc import rpc
from emailtrack.v1 import recipient_pb2
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.domain import paging
from services.recipient.domain.addresses import normalise
from services.recipient.domain.errors import InvalidArgument
from services.recipient.rpc_support import MAX_BATCH, recipient_proto, tenant_of, timestamp
from services.recipient.store.privacy import PrivacyStore
from services.recipient.store.suppression import SuppressionStore


class PrivacyRpcs:
    suppression: SuppressionStore
    privacy: PrivacyStore
    analytics: AnalyticsClient

    @rpc
    def CheckSendable(
        self, request: recipient_pb2.CheckSendableRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.CheckSendableResponse:
        """One verdict per address, in request order; an invalid address is not sendable."""
        tenant = tenant_of(request)
        if not request.emails or len(request.emails) > MAX_BATCH:
            raise InvalidArgument(f"emails must hold 1 to {MAX_BATCH} addresses")
        parsed: list[tuple[str, str | None, str]] = []
        for email in request.emails:
            try:
                parsed.append((email, normalise(tenant, email).recipient_id, ""))
            except InvalidArgument as exc:
                parsed.append((email, None, f"invalid_address: {exc}"))
        valid = [normalise(tenant, e) for e, rid, _ in parsed if rid]
        checked = self.suppression.check_sendable(tenant, valid, request.list_id)
        response = recipient_pb2.CheckSendableResponse()
        for email, rid, error in parsed:
            verdict = response.verdicts.add(email=email)
            if rid is None:
                verdict.reason = error
                continue
            result = checked[rid]
            verdict.sendable = result.verdict.sendable
            verdict.reason = result.verdict.reason
            verdict.status = int(result.status) if result.status else 0  # type: ignore[assignment]  # an enum value stored as int
        return response

    @rpc
    def Suppress(
        self, request: recipient_pb2.SuppressRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.SuppressResponse:
        tenant = tenant_of(request)
        row = self.suppression.suppress(
            tenant, normalise(tenant, request.email), request.reason, request.actor
        )
        return recipient_pb2.SuppressResponse(recipient=recipient_proto(row))

    @rpc
    def Unsuppress(
        self, request: recipient_pb2.UnsuppressRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.UnsuppressResponse:
        tenant = tenant_of(request)
        row = self.suppression.unsuppress(
            tenant, normalise(tenant, request.email), request.reason, request.actor
        )
        return recipient_pb2.UnsuppressResponse(recipient=recipient_proto(row))

    @rpc
    def ListSuppressionAudit(
        self, request: recipient_pb2.ListSuppressionAuditRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.ListSuppressionAuditResponse:
        tenant = tenant_of(request)
        address = normalise(tenant, request.email)
        limit = paging.page_size(request.page_size)
        after = paging.decode_token(request.page_token)
        if after and not after.isdigit():
            raise InvalidArgument("page_token is not valid")
        entries = self.suppression.audit_entries(
            tenant, address.recipient_id, int(after or 0), limit
        )
        response = recipient_pb2.ListSuppressionAuditResponse(
            next_page_token=paging.encode_token(str(entries[-1].id))
            if len(entries) == limit
            else ""
        )
        for entry in entries:
            response.entries.add(
                email=address.email,
                action=entry.action,
                reason=entry.reason,
                actor=entry.actor,
                at=timestamp(entry.at),
            )
        return response

    @rpc
    def Unsubscribe(
        self, request: recipient_pb2.UnsubscribeRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.UnsubscribeResponse:
        tenant = tenant_of(request)
        row = self.suppression.unsubscribe(
            tenant, normalise(tenant, request.email), request.list_id
        )
        return recipient_pb2.UnsubscribeResponse(recipient=recipient_proto(row))

    @rpc
    def SetTrackingOptOut(
        self, request: recipient_pb2.SetTrackingOptOutRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.SetTrackingOptOutResponse:
        tenant = tenant_of(request)
        row = self.suppression.set_tracking_opt_out(
            tenant, normalise(tenant, request.email), request.opt_out
        )
        return recipient_pb2.SetTrackingOptOutResponse(recipient=recipient_proto(row))

    @rpc
    def ExportRecipientData(
        self, request: recipient_pb2.ExportRecipientDataRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.ExportRecipientDataResponse:
        """This service's rows plus the events analytics holds; UNAVAILABLE rather than an
        incomplete export when analytics cannot answer."""
        tenant = tenant_of(request)
        address = normalise(tenant, request.email)
        held = self.privacy.export(tenant, address.recipient_id)
        events = self.analytics.events(tenant, address.recipient_id)
        document = {
            "tenant_id": tenant,
            "recipient_id": address.recipient_id,
            "email": address.email,
            **(held or {"recipient": None}),
            "analytics_events": [MessageToDict(e) for e in events],
        }
        return recipient_pb2.ExportRecipientDataResponse(
            json=json.dumps(document, ensure_ascii=False, sort_keys=True)
        )

    @rpc
    def EraseRecipient(
        self, request: recipient_pb2.EraseRecipientRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.EraseRecipientResponse:
        tenant = tenant_of(request)
        erased = self.privacy.erase(tenant, normalise(tenant, request.email).recipient_id)
        return recipient_pb2.EraseRecipientResponse(erased=erased)

    @rpc
    def GetEngagementSummary(
        self, request: recipient_pb2.GetEngagementSummaryRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.GetEngagementSummaryResponse:
        tenant = tenant_of(request)
        recipient_id = normalise(tenant, request.email).recipient_id
        engagement = self.analytics.engagement(tenant, recipient_id)
        response = recipient_pb2.GetEngagementSummaryResponse(
            opens=engagement.opens,
            clicks=engagement.clicks,
            human_opens=engagement.human_opens,
            human_clicks=engagement.human_clicks,
            recipient_id=recipient_id,
        )
        if engagement.HasField("last_engagement_at"):
            response.last_engagement_at.CopyFrom(engagement.last_engagement_at)
        return response
