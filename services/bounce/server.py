"""BounceService gRPC servicer: proto <-> domain, domain errors <-> status codes."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Protocol

import grpc

from emailtrack.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    Unauthenticated,
    Unavailable,
)
from emailtrack.common.request_fields import check_id
from emailtrack.common.rpc import rpc
from emailtrack.v1 import bounce_pb2, bounce_pb2_grpc
from services.bounce.codec import classification_message, parsed_message
from services.bounce.domain import classify_smtp_reply, parse_bounce_message
from services.bounce.domain.outcomes import Outcome, outcomes_from_bounce, reply_outcome
from services.bounce.domain.parse import ParsedBounce
from services.bounce.replies import RecipientUnavailable, ReplyResolver
from services.bounce.store import Recorded
from services.bounce.webhooks.common import RejectedEvent
from services.bounce.webhooks.freshness import Nonce
from services.bounce.webhooks.handler import (
    READERS,
    InvalidSignature,
    MalformedPayload,
    NotConfigured,
    ReplayedRequest,
    WebhookHandler,
    provider_name,
)

log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
_KIND_COUNTERS = {
    "bounce": "bounces",
    "complaint": "complaints",
    "auto_reply": "auto_replies",
    "delivery_report": "delivery_reports",
    "unknown": "unrecognised",
}


class Record(Protocol):
    """OutcomeRecorder.record: stores and publishes outcomes (see recorder.py)."""

    def __call__(
        self,
        outcomes: Sequence[Outcome],
        rejected: Sequence[RejectedEvent] = (),
        nonce: Nonce | None = None,
        source: str = "",
        tenant_id: str = "",
    ) -> Recorded: ...


def _message_error(raw: bytes) -> str:
    if not raw:
        return "raw_message is empty"
    if len(raw) > MAX_MESSAGE_BYTES:
        return f"raw_message is larger than {MAX_MESSAGE_BYTES} bytes"
    return ""


class BounceServicer(bounce_pb2_grpc.BounceServiceServicer):
    """Classifies replies and inbound mail, and records webhook and mailbox outcomes."""

    def __init__(
        self, record: Record, webhooks: WebhookHandler, replies: ReplyResolver | None = None
    ) -> None:
        """Without ``replies`` (no recipient service), human replies stay "unrecognised"."""
        self.record = record
        self.webhooks = webhooks
        self.replies = replies

    def _reply(self, parsed: ParsedBounce, raw: bytes, tenant_id: str) -> list[Outcome]:
        """The reply outcome of an unrecognised message answering one of ours, else none."""
        if self.replies is None or not parsed.reply:
            return []
        try:
            match = self.replies.resolve(tenant_id, parsed.reply)
        except RecipientUnavailable as exc:
            log.warning("reply lookup failed: %s", exc)
            raise Unavailable("could not look up replied messages; retry") from exc
        if match is None:
            return []
        return [reply_outcome(parsed.reply, match, raw, tenant_id, datetime.now(UTC))]

    def _record(
        self,
        outcomes: list[Outcome],
        rejected: Sequence[RejectedEvent] = (),
        nonce: Nonce | None = None,
        source: str = "",
        tenant_id: str = "",
    ) -> Recorded:
        try:
            return self.record(outcomes, rejected, nonce, source, tenant_id)
        except ReplayedRequest as exc:
            raise Unauthenticated(str(exc)) from exc
        except Exception as exc:
            log.exception("recording %d outcomes failed", len(outcomes))
            raise Unavailable("could not record outcomes; retry") from exc

    @rpc
    def ClassifySmtpReply(
        self, request: bounce_pb2.ClassifySmtpReplyRequest, context: grpc.ServicerContext
    ) -> bounce_pb2.ClassifySmtpReplyResponse:
        if request.code and not 200 <= request.code <= 599:
            raise InvalidArgument("code must be 0 or 200..599")
        if not (request.code or request.enhanced_status.strip() or request.text.strip()):
            raise InvalidArgument("one of code, enhanced_status, text is required")
        result = classify_smtp_reply(
            request.code, request.enhanced_status, request.text, request.mx_host, request.domain
        )
        return bounce_pb2.ClassifySmtpReplyResponse(classification=classification_message(result))

    @rpc
    def ParseBounceMessage(
        self, request: bounce_pb2.ParseBounceMessageRequest, context: grpc.ServicerContext
    ) -> bounce_pb2.ParseBounceMessageResponse:
        error = _message_error(request.raw_message)
        if error:
            raise InvalidArgument(error)
        parsed = parse_bounce_message(request.raw_message)
        return bounce_pb2.ParseBounceMessageResponse(message=parsed_message(parsed))

    @rpc
    def IngestInboundMessages(
        self,
        request_iterator: Iterator[bounce_pb2.IngestInboundMessagesRequest],
        context: grpc.ServicerContext,
    ) -> bounce_pb2.IngestInboundMessagesResponse:
        counts = bounce_pb2.IngestInboundMessagesResponse()
        for request in request_iterator:
            check_id("tenant_id", request.tenant_id)
            counts.messages += 1
            if _message_error(request.raw_message):
                counts.unrecognised += 1
                continue
            parsed = parse_bounce_message(request.raw_message)
            outcomes = self._reply(parsed, request.raw_message, request.tenant_id)
            counter = "replies" if outcomes else _KIND_COUNTERS[parsed.kind]
            setattr(counts, counter, getattr(counts, counter) + 1)
            if not outcomes:
                outcomes = outcomes_from_bounce(
                    parsed, request.raw_message, request.tenant_id, datetime.now(UTC)
                )
            recorded = self._record(outcomes)
            counts.events_published += recorded.accepted
            counts.duplicates += recorded.duplicates
        return counts

    @rpc
    def HandleEspWebhook(
        self, request: bounce_pb2.HandleEspWebhookRequest, context: grpc.ServicerContext
    ) -> bounce_pb2.HandleEspWebhookResponse:
        if request.provider not in READERS:
            raise InvalidArgument("unknown provider")
        provider = provider_name(request.provider)
        check_id("tenant_id", request.tenant_id)
        try:
            result = self.webhooks.handle(
                provider, request.tenant_id, dict(request.headers), request.body, request.url
            )
        except InvalidSignature as exc:
            raise Unauthenticated(str(exc)) from exc
        except MalformedPayload as exc:
            raise InvalidArgument(str(exc)) from exc
        except NotConfigured as exc:
            raise FailedPrecondition(str(exc)) from exc
        recorded = self._record(
            result.outcomes, result.rejected, result.nonce, provider, request.tenant_id
        )
        for event in result.rejected:
            log.warning("%s event %d dead-lettered: %s", provider, event.index, event.error)
        return bounce_pb2.HandleEspWebhookResponse(
            accepted=recorded.accepted,
            duplicates=recorded.duplicates,
            subscribe_url=result.subscribe_url,
            dead_lettered=recorded.dead_lettered,
        )
