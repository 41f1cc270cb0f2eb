"""Builds the protobuf requests of the SDK's calls from plain arguments and cuts large inputs
into batches (shared by the sync and asyncio clients)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from emailtrack.common.identity import recipient_id_for
from emailtrack.v1 import recipient_pb2, tracking_edge_pb2

T = TypeVar("T")
INSTRUMENT_BATCH = 500
REGISTER_BATCH = 1_000
MARK_BATCH = 1_000


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items (the last may be shorter)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def message_to_instrument(
    *,
    tenant_id: str,
    campaign_id: str,
    message_id: str,
    recipient_id: str,
    html: str = "",
    text: str = "",
    options: tracking_edge_pb2.InstrumentOptions | None = None,
    variant: str = "",
    sequence_step: str = "",
) -> tracking_edge_pb2.MessageToInstrument:
    message = tracking_edge_pb2.MessageToInstrument(
        tenant_id=tenant_id,
        campaign_id=campaign_id,
        message_id=message_id,
        recipient_id=recipient_id,
        html=html,
        text=text,
        variant=variant,
        sequence_step=sequence_step,
    )
    if options is not None:
        message.options.CopyFrom(options)
    return message


def instrument_mime_request(
    mime: bytes,
    *,
    tenant_id: str = "",
    campaign_id: str = "",
    message_id: str = "",
    recipient_id: str = "",
    strip_dkim_signature: bool = False,
    options: tracking_edge_pb2.InstrumentOptions | None = None,
) -> tracking_edge_pb2.InstrumentMimeRequest:
    """Empty ids are read by the server from the message's X-Emailtrack-* headers."""
    ids = message_to_instrument(
        tenant_id=tenant_id,
        campaign_id=campaign_id,
        message_id=message_id,
        recipient_id=recipient_id,
        options=options,
    )
    return tracking_edge_pb2.InstrumentMimeRequest(
        mime=mime, message=ids, strip_dkim_signature=strip_dkim_signature
    )


def registration(
    message_id: str,
    campaign_id: str,
    to: Iterable[str],
    *,
    cc: Iterable[str] = (),
    bcc: Iterable[str] = (),
    list_id: str = "",
    smtp_message_id: str = "",
) -> recipient_pb2.MessageRegistration:
    """One sent message and its recipients, for ``register_messages``."""
    roles = (
        (recipient_pb2.RECIPIENT_ROLE_TO, to),
        (recipient_pb2.RECIPIENT_ROLE_CC, cc),
        (recipient_pb2.RECIPIENT_ROLE_BCC, bcc),
    )
    return recipient_pb2.MessageRegistration(
        message_id=message_id,
        campaign_id=campaign_id,
        list_id=list_id,
        smtp_message_id=smtp_message_id,
        recipients=[
            recipient_pb2.MessageRecipient(email=email, role=role)
            for role, emails in roles
            for email in emails
        ],
    )


def resolve_recipient_id(tenant_id: str, email: str, recipient_id: str) -> str:
    """The recipient id given, or the one the services derive from the address."""
    if bool(email) == bool(recipient_id):
        raise ValueError("give exactly one of recipient_email and recipient_id")
    return recipient_id or recipient_id_for(tenant_id, email)
