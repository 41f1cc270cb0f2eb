"""RPCs for the sender: message registration (unary and client stream) and the Mark*
delivery-status transitions; and the per-message list of a campaign (their delivery state)."""

from __future__ import annotations

from collections.abc import Iterator

import grpc

from emailtrack.common.rpc import rpc
from emailtrack.v1 import events_pb2, recipient_pb2
from services.recipient.domain import paging
from services.recipient.domain.addresses import normalise
from services.recipient.domain.campaigns import smtp_message_id
from services.recipient.domain.delivery import DeliveryStatus
from services.recipient.domain.errors import InvalidArgument
from services.recipient.rpc_support import MAX_BATCH, addresses, require_id, tenant_of, timestamp
from services.recipient.store.campaign_messages import CampaignMessageRow
from services.recipient.store.messages import Mark, MessageStore, Registration

ROLES = frozenset(
    {
        recipient_pb2.RECIPIENT_ROLE_TO,
        recipient_pb2.RECIPIENT_ROLE_CC,
        recipient_pb2.RECIPIENT_ROLE_BCC,
    }
)


def registrations(
    tenant: str, request: recipient_pb2.RegisterMessagesRequest
) -> list[Registration]:
    if not request.messages:
        raise InvalidArgument("messages must not be empty")
    total = sum(len(m.recipients) for m in request.messages)
    if total > MAX_BATCH:
        raise InvalidArgument(f"at most {MAX_BATCH} recipients per request, got {total}")
    result = []
    for i, message in enumerate(request.messages):
        where = f"messages[{i}]"
        require_id(message.message_id, f"{where}.message_id")
        if not message.recipients:
            raise InvalidArgument(f"{where}.recipients must not be empty")
        recipients = []
        for j, recipient in enumerate(message.recipients):
            role = recipient.role or recipient_pb2.RECIPIENT_ROLE_TO
            if role not in ROLES:
                raise InvalidArgument(f"{where}.recipients[{j}].role {role} is unknown")
            try:
                recipients.append((normalise(tenant, recipient.email), int(role)))
            except InvalidArgument as exc:
                raise InvalidArgument(f"{where}.recipients[{j}]: {exc}") from exc
        result.append(
            Registration(
                message.message_id,
                message.campaign_id,
                message.list_id,
                message.sequence_step,
                message.variant,
                message.mailbox.strip().lower(),
                recipients,
                smtp_message_id(message.smtp_message_id),
                message.warmup,
            )
        )
    return result


class MessageRpcs:
    messages: MessageStore

    @rpc
    def RegisterMessages(
        self, request: recipient_pb2.RegisterMessagesRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.RegisterMessagesResponse:
        tenant = tenant_of(request)
        messages, recipients = self.messages.register(tenant, registrations(tenant, request))
        return recipient_pb2.RegisterMessagesResponse(messages=messages, recipients=recipients)

    @rpc
    def RegisterMessageStream(
        self,
        request_iterator: Iterator[recipient_pb2.RegisterMessagesRequest],
        context: grpc.ServicerContext,
    ) -> recipient_pb2.RegisterMessagesResponse:
        """Each streamed request is registered in its own transaction as it arrives; an
        invalid one ends the stream with INVALID_ARGUMENT (earlier ones stay registered,
        and re-sending them is a no-op)."""
        total = recipient_pb2.RegisterMessagesResponse()
        for position, request in enumerate(request_iterator):
            tenant = tenant_of(request)
            try:
                regs = registrations(tenant, request)
            except InvalidArgument as exc:
                raise InvalidArgument(f"request {position}: {exc}") from exc
            messages, recipients = self.messages.register(tenant, regs)
            total.messages += messages
            total.recipients += recipients
        return total

    def _mark(
        self,
        request: (
            recipient_pb2.MarkSentRequest
            | recipient_pb2.MarkDeliveredRequest
            | recipient_pb2.MarkDeferredRequest
            | recipient_pb2.MarkFailedRequest
        ),
        target: DeliveryStatus,
        reason: str = "",
        bounce_type: int = events_pb2.BOUNCE_TYPE_UNSPECIFIED,
    ) -> int:
        tenant = tenant_of(request)
        message_id = require_id(request.message_id, "message_id")
        mark = Mark(message_id, addresses(tenant, request.emails), target, reason, bounce_type)
        return self.messages.mark(tenant, mark)

    @rpc
    def MarkSent(
        self, request: recipient_pb2.MarkSentRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.MarkSentResponse:
        return recipient_pb2.MarkSentResponse(updated=self._mark(request, DeliveryStatus.SENT))

    @rpc
    def MarkSentBatch(
        self, request: recipient_pb2.MarkSentBatchRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.MarkSentBatchResponse:
        """Several messages marked sent in one transaction, all or none: an invalid, unknown
        or refused one fails the call and names its position."""
        tenant = tenant_of(request)
        if not request.messages:
            raise InvalidArgument("messages must not be empty")
        total = sum(len(m.emails) for m in request.messages)
        if total > MAX_BATCH:
            raise InvalidArgument(f"at most {MAX_BATCH} recipients per request, got {total}")
        marks = []
        for i, message in enumerate(request.messages):
            try:
                message_id = require_id(message.message_id, "message_id")
                marks.append(
                    Mark(message_id, addresses(tenant, message.emails), DeliveryStatus.SENT)
                )
            except InvalidArgument as exc:
                raise InvalidArgument(f"messages[{i}]: {exc}") from exc
        marks.sort(key=lambda mark: mark.message_id)  # one lock order across concurrent calls
        return recipient_pb2.MarkSentBatchResponse(updated=self.messages.mark_many(tenant, marks))

    @rpc
    def MarkDelivered(
        self, request: recipient_pb2.MarkDeliveredRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.MarkDeliveredResponse:
        updated = self._mark(request, DeliveryStatus.DELIVERED)
        return recipient_pb2.MarkDeliveredResponse(updated=updated)

    @rpc
    def MarkDeferred(
        self, request: recipient_pb2.MarkDeferredRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.MarkDeferredResponse:
        updated = self._mark(request, DeliveryStatus.DEFERRED, request.reason)
        return recipient_pb2.MarkDeferredResponse(updated=updated)

    @rpc
    def MarkFailed(
        self, request: recipient_pb2.MarkFailedRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.MarkFailedResponse:
        if request.bounce_type not in events_pb2.BounceType.values():
            raise InvalidArgument(f"unknown bounce_type {request.bounce_type}")
        updated = self._mark(request, DeliveryStatus.FAILED, request.reason, request.bounce_type)
        return recipient_pb2.MarkFailedResponse(updated=updated)

    @rpc
    def LookupMessages(
        self, request: recipient_pb2.LookupMessagesRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.LookupMessagesResponse:
        tenant = tenant_of(request)
        wanted = len(request.smtp_message_ids) + len(request.message_ids)
        if not wanted:
            raise InvalidArgument("smtp_message_ids or message_ids is required")
        if wanted > MAX_BATCH:
            raise InvalidArgument(f"at most {MAX_BATCH} ids per call")
        smtp_ids = [smtp_message_id(value) for value in request.smtp_message_ids]
        found = self.messages.lookup(tenant, smtp_ids, list(request.message_ids))
        return recipient_pb2.LookupMessagesResponse(
            messages=[recipient_pb2.RegisteredMessage(**m.__dict__) for m in found]
        )

    @rpc
    def ListCampaignMessages(
        self, request: recipient_pb2.ListCampaignMessagesRequest, context: grpc.ServicerContext
    ) -> recipient_pb2.ListCampaignMessagesResponse:
        tenant = tenant_of(request)
        campaign = require_id(request.campaign_id, "campaign_id")
        limit = paging.page_size(request.page_size)
        after = paging.decode_pair_token(request.page_token)
        rows = self.messages.campaign_messages(tenant, campaign, after, limit)
        token = ""
        if len(rows) == limit:
            token = paging.encode_pair_token(rows[-1].message_id, rows[-1].recipient_id)
        return recipient_pb2.ListCampaignMessagesResponse(
            messages=[_campaign_message(row) for row in rows], next_page_token=token
        )


def _campaign_message(row: CampaignMessageRow) -> recipient_pb2.CampaignMessage:
    return recipient_pb2.CampaignMessage(
        message_id=row.message_id,
        recipient_id=row.recipient_id,
        email=row.email,
        role=row.role,  # type: ignore[arg-type]  # an enum value stored as int
        delivery_status=row.delivery_status,  # type: ignore[arg-type]  # likewise
        delivery_reason=row.delivery_reason,
        delivery_updated_at=timestamp(row.delivery_updated_at),
        recipient_status=row.recipient_status,  # type: ignore[arg-type]  # likewise
        sequence_step=row.sequence_step,
        variant=row.variant,
        mailbox=row.mailbox,
        registered_at=timestamp(row.registered_at),
    )
