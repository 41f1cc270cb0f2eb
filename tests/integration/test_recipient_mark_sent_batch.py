"""MarkSentBatch against the real recipient service and PostgreSQL: many messages marked sent
in one transaction (one EMAIL_SENT event per recipient, usage counted once per recipient), a
repeat changes nothing, and one unknown or invalid message fails the whole call with its
position named while nothing of the call is applied."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import text

from emailtrack.common.identity import recipient_id_for
from emailtrack.v1 import events_pb2
from emailtrack.v1 import recipient_pb2 as pb
from tests.integration import test_recipient_grpc
from tests.integration.test_recipient_grpc import Harness, register, scalar

harness = test_recipient_grpc.harness  # the recipient service over gRPC on a fresh database


def batch(tenant: str, sent: dict[str, list[str]]) -> pb.MarkSentBatchRequest:
    messages = [pb.SentMessage(message_id=m, emails=emails) for m, emails in sent.items()]
    return pb.MarkSentBatchRequest(tenant_id=tenant, messages=messages)


def sent_events(harness: Harness) -> list[events_pb2.Event]:
    with harness.engine.connect() as conn:
        rows = conn.execute(text("SELECT batch FROM outbox ORDER BY id")).all()
    events = [e for (raw,) in rows for e in events_pb2.EventBatch.FromString(raw).events]
    return [e for e in events if e.type == events_pb2.EVENT_TYPE_EMAIL_SENT]


def test_many_messages_marked_sent_in_one_call(harness: Harness) -> None:
    stub = harness.stub
    register(stub, "t1", "m1", ["a@example.com", "b@example.com"])
    register(stub, "t1", "m2", ["c@example.com"])
    request = batch("t1", {"m1": ["a@example.com", "b@example.com"], "m2": ["c@example.com"]})
    assert stub.MarkSentBatch(request).updated == 3
    assert stub.MarkSentBatch(request).updated == 0  # a retried batch is a no-op
    events = sent_events(harness)
    expected = [("m1", "a@example.com"), ("m1", "b@example.com"), ("m2", "c@example.com")]
    assert sorted((e.message_id, e.recipient_id) for e in events) == sorted(
        (m, recipient_id_for("t1", email)) for m, email in expected
    )
    assert all(e.campaign_id == "camp" for e in events)
    sent_usage = "SELECT n FROM usage_counters WHERE tenant_id = 't1' AND metric = 'emails_sent'"
    assert scalar(harness.engine, sent_usage) == 3


def test_one_unknown_message_fails_the_batch_and_applies_nothing(harness: Harness) -> None:
    stub = harness.stub
    register(stub, "t1", "m1", ["a@example.com"])
    with pytest.raises(grpc.RpcError) as info:
        stub.MarkSentBatch(batch("t1", {"m1": ["a@example.com"], "nope": ["x@example.com"]}))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    assert "'nope' is not registered" in (info.value.details() or "")
    assert sent_events(harness) == []
    single = pb.MarkSentRequest(tenant_id="t1", message_id="m1", emails=["a@example.com"])
    assert stub.MarkSent(single).updated == 1  # the good message was left for a retry


def test_another_tenants_message_is_not_found(harness: Harness) -> None:
    register(harness.stub, "t1", "m-t1", ["a@example.com"])
    foreign = batch("t2", {"m-t1": ["a@example.com"]})
    with pytest.raises(grpc.RpcError) as info:
        harness.stub.MarkSentBatch(foreign)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (pb.MarkSentBatchRequest(tenant_id="t1"), "messages must not be empty"),
        (batch("", {"m1": ["a@example.com"]}), "tenant_id is required"),
        (batch("t1", {"m1": ["a@example.com"], "m2": []}), "messages[1]: emails must not be"),
        (batch("t1", {"m1": ["not an address"]}), "messages[0]: emails[0]"),
        (batch("t1", {"": ["a@example.com"]}), "messages[0]: message_id is required"),
        (
            batch(
                "t1", {f"m{n}": [f"r{n}-{k}@example.com" for k in range(11)] for n in range(1000)}
            ),
            "at most 10000 recipients per request",
        ),
    ],
)
def test_bad_input_is_invalid_argument_with_its_position(
    harness: Harness, request_: pb.MarkSentBatchRequest, message: str
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        harness.stub.MarkSentBatch(request_)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in (info.value.details() or "")
