"""RecipientService.ListCampaignMessages through real stubs and a real PostgreSQL: one row per
(message, recipient) of the campaign with the delivery state the sender reported, paged by
key in (message id, recipient id) order; warmup messages and other campaigns and tenants
left out; an erased recipient's rows are gone with the rest of their data. And ListRecipients'
search by address prefix or part, case-insensitive and literal."""

from __future__ import annotations

import grpc
import pytest

from emailtrack.common.identity import recipient_id_for
from emailtrack.v1 import events_pb2, recipient_pb2
from tests.integration.test_recipient_grpc import (
    Harness,
    code_of,
    harness,  # noqa: F401  # the fixture
)

pytestmark = pytest.mark.integration
pb = recipient_pb2


def _register(stack: Harness, tenant: str, campaign: str, message: str, *emails: str) -> None:
    stack.stub.RegisterMessages(
        pb.RegisterMessagesRequest(
            tenant_id=tenant,
            messages=[
                pb.MessageRegistration(
                    message_id=message,
                    campaign_id=campaign,
                    variant="B" if message.endswith("2") else "A",
                    warmup=message.startswith("warm"),
                    recipients=[pb.MessageRecipient(email=e) for e in emails],
                )
            ],
        )
    )


def _all_pages(stack: Harness, tenant: str, size: int) -> list[list[pb.CampaignMessage]]:
    pages, token = [], ""
    while True:
        reply = stack.stub.ListCampaignMessages(
            pb.ListCampaignMessagesRequest(
                tenant_id=tenant, campaign_id="spring", page_size=size, page_token=token
            )
        )
        pages.append(list(reply.messages))
        token = reply.next_page_token
        if not token:
            return pages


def test_rows_in_key_order_with_their_delivery_state(harness: Harness) -> None:  # noqa: F811  # the imported fixture
    _register(harness, "t1", "spring", "m1", "a@example.com", "b@example.com")
    _register(harness, "t1", "spring", "m2", "c@example.com")
    _register(harness, "t1", "spring", "warm-1", "a@example.com")  # warmup: not listed
    _register(harness, "t1", "autumn", "m3", "a@example.com")  # another campaign
    _register(harness, "t2", "spring", "m9", "z@example.com")  # another tenant
    stub = harness.stub
    stub.MarkSent(pb.MarkSentRequest(tenant_id="t1", message_id="m1", emails=["a@example.com"]))
    stub.MarkFailed(
        pb.MarkFailedRequest(
            tenant_id="t1",
            message_id="m1",
            emails=["b@example.com"],
            reason="550 5.1.1 user unknown",
            bounce_type=events_pb2.BOUNCE_TYPE_HARD,
        )
    )
    pages = _all_pages(harness, "t1", 2)
    assert [len(p) for p in pages] == [2, 1]
    rows = [row for page in pages for row in page]
    m1 = sorted(("m1", recipient_id_for("t1", e)) for e in ("a@example.com", "b@example.com"))
    expected = [*m1, ("m2", recipient_id_for("t1", "c@example.com"))]
    assert [(r.message_id, r.recipient_id) for r in rows] == expected
    by_email = {r.email: r for r in rows}
    assert by_email["a@example.com"].delivery_status == pb.DELIVERY_STATUS_SENT
    failed = by_email["b@example.com"]
    assert failed.delivery_status == pb.DELIVERY_STATUS_FAILED
    assert failed.delivery_reason == "550 5.1.1 user unknown"
    assert failed.recipient_status == pb.RECIPIENT_STATUS_BOUNCED
    pending = by_email["c@example.com"]
    assert (pending.delivery_status, pending.variant) == (pb.DELIVERY_STATUS_PENDING, "B")
    assert pending.role == pb.RECIPIENT_ROLE_TO and pending.HasField("registered_at")
    assert [r.email for page in _all_pages(harness, "t2", 100) for r in page] == ["z@example.com"]


def test_an_erased_recipient_is_no_longer_listed(harness: Harness) -> None:  # noqa: F811  # the imported fixture
    _register(harness, "t1", "spring", "m1", "a@example.com", "b@example.com")
    harness.stub.EraseRecipient(pb.EraseRecipientRequest(tenant_id="t1", email="a@example.com"))
    rows = [r for page in _all_pages(harness, "t1", 100) for r in page]
    assert [r.email for r in rows] == ["b@example.com"]


def test_bad_requests_are_invalid_argument(harness: Harness) -> None:  # noqa: F811  # the imported fixture
    stub = harness.stub
    for request in (
        pb.ListCampaignMessagesRequest(tenant_id="t1"),
        pb.ListCampaignMessagesRequest(tenant_id="t1", campaign_id="spring", page_token="x!"),
        pb.ListCampaignMessagesRequest(tenant_id="t1", campaign_id="spring", page_size=-1),
    ):
        assert code_of(stub.ListCampaignMessages, request) == grpc.StatusCode.INVALID_ARGUMENT


def test_recipient_search_by_prefix_and_part(harness: Harness) -> None:  # noqa: F811  # the imported fixture
    emails = ["Ada.Lovelace@example.com", "adam@example.org", "bob@example.com", "x%y@example.com"]
    _register(harness, "t1", "spring", "m1", *emails)
    _register(harness, "t2", "spring", "m1", "ada@other.example")

    def search(email_prefix: str = "", email_contains: str = "") -> list[str]:
        request = pb.ListRecipientsRequest(
            tenant_id="t1", email_prefix=email_prefix, email_contains=email_contains
        )
        return sorted(r.email for r in harness.stub.ListRecipients(request).recipients)

    assert search(email_prefix="ADA") == ["Ada.Lovelace@example.com", "adam@example.org"]
    assert search(email_contains="EXAMPLE.ORG") == ["adam@example.org"]
    assert search(email_contains="%") == ["x%y@example.com"]  # literal, not a wildcard
    assert search(email_prefix="a", email_contains="love") == ["Ada.Lovelace@example.com"]
    assert search(email_prefix="_") == []
    assert len(search()) == 4
    first = harness.stub.ListRecipients(
        pb.ListRecipientsRequest(tenant_id="t1", email_contains="example", page_size=2)
    )
    rest = harness.stub.ListRecipients(
        pb.ListRecipientsRequest(
            tenant_id="t1", email_contains="example", page_token=first.next_page_token
        )
    )
    assert len(first.recipients) == 2 and len(rest.recipients) == 2
    too_long = pb.ListRecipientsRequest(tenant_id="t1", email_prefix="a" * 257)
    assert code_of(harness.stub.ListRecipients, too_long) == grpc.StatusCode.INVALID_ARGUMENT
