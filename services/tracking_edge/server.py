"""TrackingEdgeService gRPC servicer: proto requests to the instrumenter, token checks and
(from rpc_domains) tracking domains."""

from __future__ import annotations

from collections.abc import Iterator

import grpc

from emailtrack.common.errors import InvalidArgument
from emailtrack.common.rpc import rpc
from emailtrack.common.tokens import InvalidToken, TokenKeys, open_token
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc
from services.tracking_edge.instrument import Instrumenter, InvalidInput
from services.tracking_edge.instrument_mime import DkimSignaturePresent, MimeInstrumenter
from services.tracking_edge.rpc_domains import TrackingDomainRpcs
from services.tracking_edge.tenant_domains import TenantDomains

MAX_BATCH = 10_000
MAX_MIME_BATCH = 1_000
MAX_MIME_BATCH_BYTES = 48 * 1024 * 1024  # under the server's 64 MiB message limit


class TrackingEdgeServicer(TrackingDomainRpcs, tracking_edge_pb2_grpc.TrackingEdgeServiceServicer):
    def __init__(
        self, instrumenter: Instrumenter, keys: TokenKeys, domains: TenantDomains | None = None
    ) -> None:
        self.instrumenter = instrumenter
        self.mime = MimeInstrumenter(instrumenter)
        self.keys = keys
        self.domains = domains

    @rpc
    def InstrumentMessage(
        self, request: tracking_edge_pb2.InstrumentMessageRequest, context: grpc.ServicerContext
    ) -> tracking_edge_pb2.InstrumentMessageResponse:
        return tracking_edge_pb2.InstrumentMessageResponse(
            message=self.instrumenter.instrument(request.message)
        )

    @rpc
    def InstrumentMessages(
        self, request: tracking_edge_pb2.InstrumentMessagesRequest, context: grpc.ServicerContext
    ) -> tracking_edge_pb2.InstrumentMessagesResponse:
        if len(request.messages) > MAX_BATCH:
            raise InvalidArgument(f"at most {MAX_BATCH} messages per call")
        response = tracking_edge_pb2.InstrumentMessagesResponse()
        for position, message in enumerate(request.messages):
            try:
                response.messages.append(self.instrumenter.instrument(message))
            except InvalidInput as exc:
                raise InvalidArgument(f"messages[{position}]: {exc}") from exc
        return response

    @rpc
    def InstrumentMessageStream(
        self,
        request_iterator: Iterator[tracking_edge_pb2.InstrumentMessageStreamRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[tracking_edge_pb2.InstrumentMessageStreamResponse]:
        for request in request_iterator:
            try:
                yield tracking_edge_pb2.InstrumentMessageStreamResponse(
                    message=self.instrumenter.instrument(request.message)
                )
            except InvalidInput as exc:
                yield tracking_edge_pb2.InstrumentMessageStreamResponse(error=str(exc))

    @rpc
    def InstrumentMime(
        self, request: tracking_edge_pb2.InstrumentMimeRequest, context: grpc.ServicerContext
    ) -> tracking_edge_pb2.InstrumentMimeResponse:
        return self.mime.instrument(request)

    @rpc
    def InstrumentMimeStream(
        self,
        request_iterator: Iterator[tracking_edge_pb2.InstrumentMimeStreamRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[tracking_edge_pb2.InstrumentMimeStreamResponse]:
        for request in request_iterator:
            try:
                yield tracking_edge_pb2.InstrumentMimeStreamResponse(
                    response=self.mime.instrument(request.request)
                )
            except (InvalidInput, DkimSignaturePresent) as exc:
                yield tracking_edge_pb2.InstrumentMimeStreamResponse(error=str(exc))

    @rpc
    def InstrumentMimeBatch(
        self, request: tracking_edge_pb2.InstrumentMimeBatchRequest, context: grpc.ServicerContext
    ) -> tracking_edge_pb2.InstrumentMimeBatchResponse:
        if not request.requests:
            raise InvalidArgument("requests must not be empty")
        if len(request.requests) > MAX_MIME_BATCH:
            raise InvalidArgument(f"at most {MAX_MIME_BATCH} requests per call")
        size = sum(len(one.mime) for one in request.requests)
        if size > MAX_MIME_BATCH_BYTES:
            raise InvalidArgument(
                f"the messages total {size} bytes; the limit is {MAX_MIME_BATCH_BYTES}"
            )
        response = tracking_edge_pb2.InstrumentMimeBatchResponse()
        for one in request.requests:
            result = response.results.add()
            try:
                result.response.CopyFrom(self.mime.instrument(one))
            except DkimSignaturePresent as exc:
                result.refusal = tracking_edge_pb2.INSTRUMENT_MIME_REFUSAL_DKIM_SIGNATURE_PRESENT
                result.error = str(exc)
            except InvalidInput as exc:
                result.refusal = tracking_edge_pb2.INSTRUMENT_MIME_REFUSAL_INVALID_ARGUMENT
                result.error = str(exc)
        return response

    @rpc
    def VerifyToken(
        self, request: tracking_edge_pb2.VerifyTokenRequest, context: grpc.ServicerContext
    ) -> tracking_edge_pb2.VerifyTokenResponse:
        try:
            verified = open_token(request.token, self.keys)
        except InvalidToken as exc:
            return tracking_edge_pb2.VerifyTokenResponse(valid=False, error=str(exc))
        claims = verified.claims
        response = tracking_edge_pb2.VerifyTokenResponse(
            valid=True,
            expired=verified.expired,
            list_id=claims.list_id,
            tracking_host=claims.tracking_host,
            key_id=claims.key_id,
            tenant_id=claims.tenant_id,
            campaign_id=claims.campaign_id,
            message_id=claims.message_id,
            recipient_id=claims.recipient_id,
            link_url=claims.link_url,
        )
        response.sent_at.CopyFrom(claims.sent_at)
        return response
