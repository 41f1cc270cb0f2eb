"""Issue 16, finding 1: gRPC had no authentication and took the tenant from the request.
Each test here failed on the old code (any caller was served, for any tenant)."""

from __future__ import annotations

import time

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from emailtrack.common.rate_limit import RateLimiter
from emailtrack.v1 import (
    recipient_pb2,
    recipient_pb2_grpc,
    tracking_edge_pb2,
    tracking_edge_pb2_grpc,
)
from tests.security.conftest import ADMIN, READ, SEND, Stack, channel_with

pytestmark = pytest.mark.integration
PHISHING = '<html><body><a href="https://login.evil.example/acme">log in</a></body></html>'


def recipients(stack: Stack, key: str | None) -> recipient_pb2_grpc.RecipientServiceStub:
    return recipient_pb2_grpc.RecipientServiceStub(channel_with(stack.main, key))


def refused(call: object, code: grpc.StatusCode) -> str:
    with pytest.raises(grpc.RpcError) as caught:
        call()  # type: ignore[operator]  # a zero-argument callable
    assert caught.value.code() == code, caught.value.details()
    return caught.value.details() or ""


def test_no_credential_is_refused(stack: Stack) -> None:
    stub = recipients(stack, None)
    listing = recipient_pb2.ListRecipientsRequest(tenant_id="demo")
    assert "authorization" in refused(
        lambda: stub.ListRecipients(listing), grpc.StatusCode.UNAUTHENTICATED
    )
    export = recipient_pb2.ExportRecipientDataRequest(tenant_id="demo", email="a@example.com")
    refused(lambda: stub.ExportRecipientData(export), grpc.StatusCode.UNAUTHENTICATED)
    suppress = recipient_pb2.SuppressRequest(tenant_id="demo", email="a@example.com")
    refused(lambda: stub.Suppress(suppress), grpc.StatusCode.UNAUTHENTICATED)


@pytest.mark.parametrize(
    "key", ["wrong", "et_0123456789ab_" + "A" * 43, "Basic dXNlcjpwYXNz", "x" * 600]
)
def test_unknown_keys_are_refused(stack: Stack, key: str) -> None:
    stub = recipients(stack, key)
    request = recipient_pb2.ListRecipientsRequest(tenant_id="demo")
    refused(lambda: stub.ListRecipients(request), grpc.StatusCode.UNAUTHENTICATED)


def test_health_and_reflection_stay_open(stack: Stack) -> None:
    with grpc.insecure_channel(stack.main) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_another_tenant_is_permission_denied_and_the_own_is_filled_in(stack: Stack) -> None:
    stub = recipients(stack, stack.create_key("acme", READ, SEND))
    other = recipient_pb2.ListRecipientsRequest(tenant_id="demo")
    assert "another tenant" in refused(
        lambda: stub.ListRecipients(other), grpc.StatusCode.PERMISSION_DENIED
    )
    upsert = recipient_pb2.UpsertRecipientsRequest(
        recipients=[recipient_pb2.RecipientInput(email="ada@acme.example")]
    )
    stub.UpsertRecipients(upsert)  # no tenant named: the key's
    listed = stub.ListRecipients(recipient_pb2.ListRecipientsRequest())
    assert [r.email for r in listed.recipients] == ["ada@acme.example"]
    assert {r.tenant_id for r in listed.recipients} == {"acme"}


def test_a_send_key_cannot_export_suppress_or_erase(stack: Stack) -> None:
    stub = recipients(stack, stack.create_key("acme", SEND))
    email = "grace@acme.example"
    stub.UpsertRecipients(
        recipient_pb2.UpsertRecipientsRequest(
            recipients=[recipient_pb2.RecipientInput(email=email)]
        )
    )
    for call in (
        lambda: stub.ExportRecipientData(recipient_pb2.ExportRecipientDataRequest(email=email)),
        lambda: stub.Suppress(recipient_pb2.SuppressRequest(email=email, reason="x")),
        lambda: stub.EraseRecipient(recipient_pb2.EraseRecipientRequest(email=email)),
    ):
        assert "scope" in refused(call, grpc.StatusCode.PERMISSION_DENIED)
    reader = recipients(stack, stack.create_key("acme", READ))
    reader.ExportRecipientData(recipient_pb2.ExportRecipientDataRequest(email=email))
    refused(
        lambda: reader.Suppress(recipient_pb2.SuppressRequest(email=email, reason="x")),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    admin = recipients(stack, stack.create_key("acme", ADMIN))
    admin.Suppress(recipient_pb2.SuppressRequest(email=email, reason="x"))


def test_api_keys_cannot_reach_internal_rpcs(stack: Stack) -> None:
    stub = recipients(stack, stack.create_key("acme", SEND, READ, ADMIN))
    lookup = recipient_pb2.LookupMessagesRequest(tenant_id="acme", smtp_message_ids=["<x@y>"])
    refused(lambda: stub.LookupMessages(lookup), grpc.StatusCode.PERMISSION_DENIED)


def test_minting_a_link_to_a_phishing_url_needs_a_send_key(stack: Stack) -> None:
    message = tracking_edge_pb2.MessageToInstrument(
        tenant_id="demo", campaign_id="c", message_id="m1", recipient_id="r1", html=PHISHING
    )
    request = tracking_edge_pb2.InstrumentMessageRequest(message=message)
    anonymous = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel_with(stack.main, None))
    refused(lambda: anonymous.InstrumentMessage(request), grpc.StatusCode.UNAUTHENTICATED)
    reader = stack.create_key("demo", READ)
    read_only = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel_with(stack.main, reader))
    refused(lambda: read_only.InstrumentMessage(request), grpc.StatusCode.PERMISSION_DENIED)
    other = stack.create_key("acme", SEND)
    wrong = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel_with(stack.main, other))
    refused(lambda: wrong.InstrumentMessage(request), grpc.StatusCode.PERMISSION_DENIED)
    sender = stack.create_key("demo", SEND)
    allowed = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel_with(stack.main, sender))
    assert "/c/" in allowed.InstrumentMessage(request).message.html


def test_streams_are_checked_message_by_message(stack: Stack) -> None:
    stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(
        channel_with(stack.main, stack.create_key("acme", SEND))
    )

    def requests(*tenants: str):
        for n, tenant in enumerate(tenants):
            message = tracking_edge_pb2.MessageToInstrument(
                tenant_id=tenant,
                campaign_id="c",
                message_id=f"m{n}",
                recipient_id="r",
                html=PHISHING,
            )
            yield tracking_edge_pb2.InstrumentMessageStreamRequest(message=message)

    assert len(list(stub.InstrumentMessageStream(requests("acme", "")))) == 2
    refused(
        lambda: list(stub.InstrumentMessageStream(requests("acme", "demo"))),
        grpc.StatusCode.PERMISSION_DENIED,
    )


def test_a_revoked_key_is_refused_within_seconds(stack: Stack) -> None:
    key = stack.create_key("acme", READ)
    stub = recipients(stack, key)
    stub.ListRecipients(recipient_pb2.ListRecipientsRequest())
    stack.keys.revoke("acme", key.split("_")[1])
    revoked_at = time.monotonic()
    while True:
        try:
            stub.ListRecipients(recipient_pb2.ListRecipientsRequest())
        except grpc.RpcError as exc:
            assert exc.code() == grpc.StatusCode.UNAUTHENTICATED
            break
        assert time.monotonic() - revoked_at < 3.0, "still accepted 3 s after revocation"
        time.sleep(0.1)


def test_calls_over_the_key_limit_are_refused_with_retry_info(stack: Stack) -> None:
    server = stack.serve_main(RateLimiter(rate_per_s=1, burst=3))
    try:
        key = stack.create_key("acme", READ)
        stub = recipients_at(f"127.0.0.1:{server.port}", key)
        request = recipient_pb2.ListRecipientsRequest()
        for _ in range(3):
            stub.ListRecipients(request)
        with pytest.raises(grpc.RpcError) as caught:
            stub.ListRecipients(request)
        error = caught.value
        assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        trailers = {m.key: m.value for m in error.trailing_metadata() or ()}
        assert int(str(trailers["retry-after"])) >= 1
        details = trailers["grpc-status-details-bin"]
        assert isinstance(details, bytes)
        status = status_pb2.Status.FromString(details)
        retry = error_details_pb2.RetryInfo()
        assert status.details[0].Unpack(retry)
        assert 0 < retry.retry_delay.ToMilliseconds() <= 1000
        other = recipients_at(f"127.0.0.1:{server.port}", stack.create_key("acme", READ))
        other.ListRecipients(request)  # limits are per key
    finally:
        server.stop(0)


def recipients_at(address: str, key: str) -> recipient_pb2_grpc.RecipientServiceStub:
    return recipient_pb2_grpc.RecipientServiceStub(channel_with(address, key))
