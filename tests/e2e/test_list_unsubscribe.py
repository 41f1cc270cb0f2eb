"""Per-list unsubscribe through real processes: InstrumentMessage with a list id → the
List-Unsubscribe URL → one-click POST on the gateway → Kafka → tracking edge → Kafka →
recipient: off that list only; without a list id the link unsubscribes from everything."""

from __future__ import annotations

import time
import urllib.request
import uuid
from collections.abc import Callable

import pytest

from emailtrack.common.grpc_server import client_channel
from emailtrack.platform.supervisor import Platform
from emailtrack.v1 import (
    recipient_pb2,
    recipient_pb2_grpc,
    tracking_edge_pb2,
    tracking_edge_pb2_grpc,
)

pytestmark = pytest.mark.e2e

TENANT = "lists-e2e"


def _addr(platform: Platform, name: str) -> str:
    return f"127.0.0.1:{platform.ports[name]}"


def _instrument(
    platform: Platform, email: str, list_id: str
) -> tracking_edge_pb2.InstrumentedMessage:
    with client_channel(_addr(platform, "tracking-edge"), api_key=platform.admin_key) as channel:
        stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
        return stub.InstrumentMessage(
            tracking_edge_pb2.InstrumentMessageRequest(
                message=tracking_edge_pb2.MessageToInstrument(
                    tenant_id=TENANT,
                    campaign_id="digest",
                    message_id=f"msg-{uuid.uuid4().hex[:8]}",
                    recipient_id=email,
                    html='<html><body><a href="{{unsubscribe_url}}">Unsubscribe</a></body></html>',
                    options=tracking_edge_pb2.InstrumentOptions(list_id=list_id),
                ),
            ),
            timeout=10,
        ).message


def _post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def _wait_for(predicate: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"not reached within {timeout_s}s")


def test_list_unsubscribe_removes_the_recipient_from_that_list_only(platform: Platform) -> None:
    email = f"ada-{uuid.uuid4().hex[:6]}@example.com"
    with client_channel(_addr(platform, "recipient"), api_key=platform.admin_key) as channel:
        recipients = recipient_pb2_grpc.RecipientServiceStub(channel)
        for list_id in ("weekly", "offers"):
            recipients.CreateList(
                recipient_pb2.CreateListRequest(tenant_id=TENANT, list_id=list_id, name=list_id),
                timeout=10,
            )
            recipients.AddListMembers(
                recipient_pb2.AddListMembersRequest(
                    tenant_id=TENANT, list_id=list_id, emails=[email]
                ),
                timeout=10,
            )

        def verdict(list_id: str) -> recipient_pb2.SendableVerdict:
            return recipients.CheckSendable(
                recipient_pb2.CheckSendableRequest(
                    tenant_id=TENANT, emails=[email], list_id=list_id
                ),
                timeout=10,
            ).verdicts[0]

        def status() -> int:
            return recipients.GetRecipient(
                recipient_pb2.GetRecipientRequest(tenant_id=TENANT, email=email), timeout=10
            ).recipient.status

        assert verdict("weekly").sendable and verdict("offers").sendable

        message = _instrument(platform, email, "weekly")
        headers = {h.name: h.value for h in message.headers}
        assert headers["List-Unsubscribe"] == f"<{message.unsubscribe_url}>"
        assert "weekly" not in message.unsubscribe_url  # in the token, sealed
        assert _post(message.unsubscribe_url, b"List-Unsubscribe=One-Click") == 200
        _wait_for(lambda: not verdict("weekly").sendable)
        assert verdict("weekly").reason == "list_unsubscribed"
        assert verdict("offers").sendable
        assert status() == recipient_pb2.RECIPIENT_STATUS_ACTIVE

        everything = _instrument(platform, email, "")
        assert f'href="{everything.unsubscribe_url}"' in everything.html
        assert _post(everything.unsubscribe_url, b"") == 200  # the link's form button
        _wait_for(lambda: status() == recipient_pb2.RECIPIENT_STATUS_UNSUBSCRIBED)
        assert not verdict("offers").sendable
