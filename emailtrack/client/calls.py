"""Each SDK operation as a `Call`: which service and method, the request, and how the reply
becomes the result. The sync and asyncio clients only differ in how they run a call."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from google.protobuf.message import Message

from emailtrack.v1 import analytics_pb2, events_pb2, recipient_pb2, tracking_edge_pb2

R = TypeVar("R")
Service = Literal["tracking_edge", "recipient", "analytics"]


@dataclass(frozen=True)
class Call(Generic[R]):
    service: Service
    method: str
    request: Message
    result: Callable[[Any], R]


def instrument_message(
    message: tracking_edge_pb2.MessageToInstrument,
) -> Call[tracking_edge_pb2.InstrumentedMessage]:
    return Call(
        "tracking_edge",
        "InstrumentMessage",
        tracking_edge_pb2.InstrumentMessageRequest(message=message),
        lambda reply: reply.message,
    )


def instrument_messages(
    messages: list[tracking_edge_pb2.MessageToInstrument],
) -> Call[list[tracking_edge_pb2.InstrumentedMessage]]:
    return Call(
        "tracking_edge",
        "InstrumentMessages",
        tracking_edge_pb2.InstrumentMessagesRequest(messages=messages),
        lambda reply: list(reply.messages),
    )


def instrument_mime(
    request: tracking_edge_pb2.InstrumentMimeRequest,
) -> Call[tracking_edge_pb2.InstrumentMimeResponse]:
    return Call("tracking_edge", "InstrumentMime", request, lambda reply: reply)


def instrument_mime_batch(
    requests: list[tracking_edge_pb2.InstrumentMimeRequest],
) -> Call[list[tracking_edge_pb2.InstrumentMimeResult]]:
    return Call(
        "tracking_edge",
        "InstrumentMimeBatch",
        tracking_edge_pb2.InstrumentMimeBatchRequest(requests=requests),
        lambda reply: list(reply.results),
    )


def register_messages(
    tenant_id: str, registrations: list[recipient_pb2.MessageRegistration]
) -> Call[recipient_pb2.RegisterMessagesResponse]:
    return Call(
        "recipient",
        "RegisterMessages",
        recipient_pb2.RegisterMessagesRequest(tenant_id=tenant_id, messages=registrations),
        lambda reply: reply,
    )


def mark_delivery(
    outcome: Literal["sent", "delivered", "deferred", "failed"],
    tenant_id: str,
    message_id: str,
    emails: Iterable[str],
    reason: str = "",
    bounce_type: events_pb2.BounceType = events_pb2.BOUNCE_TYPE_UNSPECIFIED,
) -> Call[int]:
    """Reports what happened to one message for some of its recipients; the result is how many
    recipients changed state (a repeated report changes none)."""
    fields: dict[str, Any] = {"tenant_id": tenant_id, "message_id": message_id}
    fields["emails"] = list(emails)
    if outcome in ("deferred", "failed"):
        fields["reason"] = reason
    if outcome == "failed":
        fields["bounce_type"] = bounce_type
    name = outcome.capitalize()
    request = getattr(recipient_pb2, f"Mark{name}Request")(**fields)
    return Call("recipient", f"Mark{name}", request, lambda reply: int(reply.updated))


def mark_sent_batch(tenant_id: str, sent: dict[str, list[str]]) -> Call[int]:
    """Marks many messages sent at once (message id -> its recipients handed to the next hop),
    all or none; the result is how many recipients changed state."""
    messages = [
        recipient_pb2.SentMessage(message_id=message_id, emails=emails)
        for message_id, emails in sent.items()
    ]
    return Call(
        "recipient",
        "MarkSentBatch",
        recipient_pb2.MarkSentBatchRequest(tenant_id=tenant_id, messages=messages),
        lambda reply: int(reply.updated),
    )


def check_sendable(
    tenant_id: str, emails: Iterable[str], list_id: str = ""
) -> Call[list[recipient_pb2.SendableVerdict]]:
    return Call(
        "recipient",
        "CheckSendable",
        recipient_pb2.CheckSendableRequest(
            tenant_id=tenant_id, emails=list(emails), list_id=list_id
        ),
        lambda reply: list(reply.verdicts),
    )


def campaign_stats(tenant_id: str, campaign_id: str) -> Call[analytics_pb2.CampaignStats]:
    return Call(
        "analytics",
        "GetCampaignStats",
        analytics_pb2.GetCampaignStatsRequest(tenant_id=tenant_id, campaign_id=campaign_id),
        lambda reply: reply.stats,
    )
