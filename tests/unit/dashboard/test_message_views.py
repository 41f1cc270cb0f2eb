"""The status of a per-message row: complaints and unsubscribes outrank a bounce, which
outranks delivery; what analytics saw counts even when the sender reported nothing."""

from __future__ import annotations

import pytest

from emailtrack.presentation.message_views import message_rows, status
from emailtrack.v1 import analytics_pb2, recipient_pb2

D = recipient_pb2.DeliveryStatus


def facts(*seen: str) -> analytics_pb2.MessageEngagement:
    found = analytics_pb2.MessageEngagement()
    for name in seen:
        getattr(found, name).GetCurrentTime()
    return found


@pytest.mark.parametrize(
    ("reported", "seen", "expected"),
    [
        (D.DELIVERY_STATUS_PENDING, (), "pending"),
        (D.DELIVERY_STATUS_SENT, (), "sent"),
        (D.DELIVERY_STATUS_PENDING, ("sent_at",), "sent"),
        (D.DELIVERY_STATUS_DEFERRED, (), "deferred"),
        (D.DELIVERY_STATUS_DEFERRED, ("delivered_at",), "delivered"),
        (D.DELIVERY_STATUS_DELIVERED, ("bounced_at",), "bounced"),
        (D.DELIVERY_STATUS_FAILED, (), "bounced"),
        (D.DELIVERY_STATUS_DELIVERED, ("unsubscribed_at",), "unsubscribed"),
        (D.DELIVERY_STATUS_DELIVERED, ("unsubscribed_at", "complained_at"), "complained"),
    ],
)
def test_status(reported: int, seen: tuple[str, ...], expected: str) -> None:
    message = recipient_pb2.CampaignMessage(delivery_status=reported)  # type: ignore[arg-type]  # test data: an enum value as int
    assert status(message, facts(*seen)) == expected


def test_rows_keep_the_page_order_and_pairs_without_facts() -> None:
    page = [
        recipient_pb2.CampaignMessage(message_id="m2", recipient_id="r1", email="b@x.example"),
        recipient_pb2.CampaignMessage(message_id="m1", recipient_id="r1", email="a@x.example"),
    ]
    seen = analytics_pb2.GetMessageEngagementResponse(
        messages=[
            analytics_pb2.MessageEngagement(
                message_id="m1", recipient_id="r1", opens=analytics_pb2.PairHits(hits=3, human=True)
            )
        ]
    )
    rows = message_rows(page, seen)
    assert [(r["message_id"], r["opens"], r["opened_by_human"]) for r in rows] == [
        ("m2", 0, False),
        ("m1", 3, True),
    ]
    assert rows[0]["first_open_at"] is None and rows[0]["bounce_type"] is None
