"""The per-message list of a campaign, shared by the JSON API, its CSV export and the CLI: a
page of the recipient service's rows (registration and delivery state the sender reported)
merged with analytics' facts about the same (message, recipient) pairs (sent, delivered,
opens and clicks by people or machines, replies, bounces, complaints, unsubscribes) into one
flat row each, with one status. Pure: the callers make the two calls."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from emailtrack.presentation.export import csv_text
from emailtrack.presentation.views import RECIPIENT_STATUSES, timestamp
from emailtrack.v1 import analytics_pb2, events_pb2, recipient_pb2

DELIVERY = recipient_pb2.DeliveryStatus
# The status of a row, most telling first: complained, unsubscribed (through this message),
# bounced, delivered, deferred, sent, pending (registered, not reported sent yet).
STATUSES = ("complained", "unsubscribed", "bounced", "delivered", "deferred", "sent", "pending")
BOUNCE_TYPES = {events_pb2.BOUNCE_TYPE_HARD: "hard", events_pb2.BOUNCE_TYPE_SOFT: "soft"}
MESSAGE_COLUMNS = (
    "message_id",
    "email",
    "status",
    "recipient_status",
    "sequence_step",
    "variant",
    "mailbox",
    "sent_at",
    "delivered_at",
    "first_open_at",
    "opens",
    "opened_by_human",
    "opened_by_machine",
    "first_click_at",
    "clicks",
    "clicked_by_human",
    "clicked_by_machine",
    "replies",
    "first_reply_at",
    "bounced_at",
    "bounce_type",
    "reason",
    "complained_at",
    "unsubscribed_at",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def engagement_request(
    tenant_id: str, campaign_id: str, messages: Sequence[recipient_pb2.CampaignMessage]
) -> analytics_pb2.GetMessageEngagementRequest:
    """The analytics request for the pairs of one page of ListCampaignMessages."""
    return analytics_pb2.GetMessageEngagementRequest(
        tenant_id=tenant_id,
        campaign_id=campaign_id,
        keys=[
            analytics_pb2.MessageRecipientKey(message_id=m.message_id, recipient_id=m.recipient_id)
            for m in messages
        ],
    )


def status(message: recipient_pb2.CampaignMessage, facts: analytics_pb2.MessageEngagement) -> str:
    """One of STATUSES: what the sender reported and what was seen afterwards."""
    reported = message.delivery_status
    if facts.HasField("complained_at"):
        return "complained"
    if facts.HasField("unsubscribed_at"):
        return "unsubscribed"
    if reported == DELIVERY.DELIVERY_STATUS_FAILED or facts.HasField("bounced_at"):
        return "bounced"
    if reported == DELIVERY.DELIVERY_STATUS_DELIVERED or facts.HasField("delivered_at"):
        return "delivered"
    if reported == DELIVERY.DELIVERY_STATUS_DEFERRED:
        return "deferred"
    if reported == DELIVERY.DELIVERY_STATUS_SENT or facts.HasField("sent_at"):
        return "sent"
    return "pending"


def message_row(
    message: recipient_pb2.CampaignMessage, facts: analytics_pb2.MessageEngagement
) -> dict[str, Any]:
    """One flat row (the keys of MESSAGE_COLUMNS); times ISO 8601 UTC or None."""
    opens, clicks = facts.opens, facts.clicks
    return {
        "message_id": message.message_id,
        "email": message.email,
        "status": status(message, facts),
        "recipient_status": RECIPIENT_STATUSES.get(message.recipient_status, "unknown"),
        "sequence_step": message.sequence_step,
        "variant": message.variant,
        "mailbox": message.mailbox,
        "sent_at": timestamp(facts.sent_at),
        "delivered_at": timestamp(facts.delivered_at),
        "first_open_at": timestamp(opens.first_at),
        "opens": opens.hits,
        "opened_by_human": opens.human,
        "opened_by_machine": opens.machine,
        "first_click_at": timestamp(clicks.first_at),
        "clicks": clicks.hits,
        "clicked_by_human": clicks.human,
        "clicked_by_machine": clicks.machine,
        "replies": facts.replies,
        "first_reply_at": timestamp(facts.first_reply_at),
        "bounced_at": timestamp(facts.bounced_at),
        "bounce_type": BOUNCE_TYPES.get(facts.bounce_type),
        "reason": message.delivery_reason or None,
        "complained_at": timestamp(facts.complained_at),
        "unsubscribed_at": timestamp(facts.unsubscribed_at),
    }


def message_rows(
    messages: Iterable[recipient_pb2.CampaignMessage],
    engagement: analytics_pb2.GetMessageEngagementResponse,
) -> list[dict[str, Any]]:
    """The page's rows in its order; a pair analytics has no fact about has none."""
    facts = {(e.message_id, e.recipient_id): e for e in engagement.messages}
    none = analytics_pb2.MessageEngagement()
    return [message_row(m, facts.get((m.message_id, m.recipient_id), none)) for m in messages]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_header() -> str:
    return csv_text([MESSAGE_COLUMNS])


def csv_rows(rows: Iterable[dict[str, Any]]) -> str:
    return csv_text([_cell(row[name]) for name in MESSAGE_COLUMNS] for row in rows)
