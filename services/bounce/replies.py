"""Resolving reply hints against the recipient service (which owns message registrations
and their SMTP Message-IDs) through RecipientService.LookupMessages, with a deadline."""

from __future__ import annotations

import grpc

from emailtrack.v1 import recipient_pb2, recipient_pb2_grpc
from services.bounce.domain.replies import KnownMessage, ReplyHints, ReplyMatch, choose_match


class RecipientUnavailable(RuntimeError):
    """The recipient service could not answer (re-feeding the mail later is safe)."""


class ReplyResolver:
    def __init__(self, channel: grpc.Channel, address: str) -> None:
        self.stub = recipient_pb2_grpc.RecipientServiceStub(channel)
        self.address = address

    def resolve(self, tenant_id: str, hints: ReplyHints) -> ReplyMatch | None:
        smtp_ids = [smtp_id for smtp_id, _ in hints.answered] + list(hints.quoted_smtp_ids)
        request = recipient_pb2.LookupMessagesRequest(
            tenant_id=tenant_id,
            smtp_message_ids=list(dict.fromkeys(smtp_ids)),
            message_ids=list(hints.quoted_message_ids),
        )
        try:
            found = self.stub.LookupMessages(request).messages
        except grpc.RpcError as exc:
            raise RecipientUnavailable(
                f"recipient service at {self.address} could not look up messages: {exc}"
            ) from exc
        known = [
            KnownMessage(
                m.message_id,
                m.smtp_message_id,
                m.campaign_id,
                m.sequence_step,
                m.variant,
                m.mailbox,
                m.warmup,
            )
            for m in found
        ]
        return choose_match(hints, known)
