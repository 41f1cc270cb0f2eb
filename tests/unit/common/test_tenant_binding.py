"""Requests are bound to the credential's tenant at every depth."""

from __future__ import annotations

import pytest

from emailtrack.common.tenant_binding import TenantMismatch, bind_tenant
from emailtrack.v1 import recipient_pb2, tracking_edge_pb2


def test_an_empty_tenant_is_filled_and_the_same_tenant_passes() -> None:
    request = recipient_pb2.ListRecipientsRequest()
    bind_tenant(request, "acme")
    assert request.tenant_id == "acme"
    bind_tenant(request, "acme")


def test_another_tenant_is_refused() -> None:
    with pytest.raises(TenantMismatch) as caught:
        bind_tenant(recipient_pb2.ListRecipientsRequest(tenant_id="demo"), "acme")
    assert caught.value.requested == "demo"


def test_nested_and_repeated_messages_are_checked() -> None:
    single = tracking_edge_pb2.InstrumentMessageRequest(
        message=tracking_edge_pb2.MessageToInstrument(tenant_id="demo", message_id="m")
    )
    with pytest.raises(TenantMismatch):
        bind_tenant(single, "acme")
    batch = tracking_edge_pb2.InstrumentMessagesRequest(
        messages=[
            tracking_edge_pb2.MessageToInstrument(message_id="a"),
            tracking_edge_pb2.MessageToInstrument(tenant_id="demo", message_id="b"),
        ]
    )
    with pytest.raises(TenantMismatch):
        bind_tenant(batch, "acme")
    batch.messages[1].tenant_id = ""
    bind_tenant(batch, "acme")
    assert [m.tenant_id for m in batch.messages] == ["acme", "acme"]


def test_unset_sub_messages_are_not_created() -> None:
    request = tracking_edge_pb2.InstrumentMessageRequest()
    bind_tenant(request, "acme")
    assert not request.HasField("message")


def test_operator_credentials_may_name_any_tenant() -> None:
    request = recipient_pb2.ListRecipientsRequest(tenant_id="demo")
    bind_tenant(request, "*")
    assert request.tenant_id == "demo"
