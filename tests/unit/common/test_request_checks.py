"""Every request's text is NUL-free and its timestamps valid, at any depth."""

from __future__ import annotations

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from emailtrack.common.request_checks import InvalidText, check_request
from emailtrack.v1 import analytics_pb2, bounce_pb2, recipient_pb2


def registration(**fields: object) -> recipient_pb2.RegisterMessagesRequest:
    message = recipient_pb2.MessageRegistration(message_id="m1", **fields)  # type: ignore[arg-type]  # test fields passed as keywords
    return recipient_pb2.RegisterMessagesRequest(tenant_id="acme", messages=[message])


def timeline(start: Timestamp) -> analytics_pb2.GetTimelineRequest:
    return analytics_pb2.GetTimelineRequest(tenant_id="acme", campaign_id="c", start=start)


def test_clean_requests_pass() -> None:
    check_request(registration(recipients=[recipient_pb2.MessageRecipient(email="a@b.example")]))
    check_request(timeline(Timestamp(seconds=1_700_000_000)))
    check_request(bounce_pb2.ParseBounceMessageRequest(raw_message=b"\x00binary\x00"))


@pytest.mark.parametrize(
    "request_",
    [
        recipient_pb2.ListRecipientsRequest(tenant_id="ac\x00me"),
        registration(recipients=[recipient_pb2.MessageRecipient(email="a\x00@b.example")]),
        recipient_pb2.UpsertRecipientsRequest(
            recipients=[recipient_pb2.RecipientInput(email="a@b.example", metadata={"k": "\x00"})]
        ),
    ],
)
def test_nul_in_any_text_is_refused(request_: object) -> None:
    with pytest.raises(InvalidText, match="NUL"):
        check_request(request_)  # type: ignore[arg-type]  # parametrized messages typed object


@pytest.mark.parametrize("seconds, nanos", [(-62_135_596_801, 0), (253_402_300_800, 0), (0, -1)])
def test_invalid_timestamps_are_refused(seconds: int, nanos: int) -> None:
    with pytest.raises(InvalidText, match="start is not a valid timestamp"):
        check_request(timeline(Timestamp(seconds=seconds, nanos=nanos)))
