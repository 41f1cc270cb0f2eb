"""TrackingEdgeService in-process on port 0, called through generated stubs."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.tokens import TokenKeys, verify
from emailtrack.v1 import events_pb2, tracking_edge_pb2, tracking_edge_pb2_grpc
from services.tracking_edge.instrument import Instrumenter
from services.tracking_edge.server import TrackingEdgeServicer
from tests.grpc_credentials import TEST_AUTH, keyed_channel

KEYS = TokenKeys.parse("k1:" + "s" * 43)
BASE = "https://t.example.com"


@pytest.fixture(scope="module")
def stub() -> Iterator[tracking_edge_pb2_grpc.TrackingEdgeServiceStub]:
    servicer = TrackingEdgeServicer(Instrumenter(BASE, KEYS), KEYS)
    server = start_server(
        [
            ServiceRegistration(
                servicer,
                tracking_edge_pb2_grpc.add_TrackingEdgeServiceServicer_to_server,
                "emailtrack.v1.TrackingEdgeService",
            )
        ],
        port=0,
        host="127.0.0.1",
        auth=TEST_AUTH,
    )
    channel = keyed_channel(f"127.0.0.1:{server.port}")
    yield tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
    channel.close()
    server.stop(0)


def message(**fields: object) -> tracking_edge_pb2.MessageToInstrument:
    values: dict[str, object] = {
        "tenant_id": "acme",
        "campaign_id": "spring",
        "message_id": "m-1",
        "recipient_id": "r_1",
        "html": '<html><body><a href="https://shop.example/a?x=1&amp;y=2">Shop</a>'
        '<a href="mailto:hi@example.com">mail</a></body></html>',
        "text": "Shop: https://shop.example/a?x=1&y=2 or https://blog.example/post.",
    }
    values.update(fields)
    return tracking_edge_pb2.MessageToInstrument(**values)  # type: ignore[arg-type]  # test fields passed as keywords


def test_instrument_rewrites_links_adds_pixel_and_headers(stub) -> None:
    options = tracking_edge_pb2.InstrumentOptions(unsubscribe_mailto="unsub@example.com")
    reply = stub.InstrumentMessage(
        tracking_edge_pb2.InstrumentMessageRequest(message=message(options=options))
    ).message
    assert reply.pixel_url.startswith(BASE + "/o/") and reply.pixel_url in reply.html
    assert 'href="mailto:hi@example.com"' in reply.html
    originals = {link.original_url: link.index for link in reply.links}
    assert originals == {"https://shop.example/a?x=1&y=2": 0, "https://blog.example/post": 1}
    claims = verify(reply.links[0].tracking_url.rsplit("/", 1)[1], KEYS)
    assert claims.kind == events_pb2.HIT_KIND_CLICK
    assert (claims.tenant_id, claims.campaign_id, claims.recipient_id) == ("acme", "spring", "r_1")
    assert "https://blog.example" not in reply.text
    headers = {h.name: h.value for h in reply.headers}
    assert headers["List-Unsubscribe"] == f"<{reply.unsubscribe_url}>, <mailto:unsub@example.com>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["X-Emailtrack-Campaign"] == "spring"
    assert headers["X-Emailtrack-Message"] == "m-1"


def test_unsubscribe_token_carries_the_list_and_nothing_is_readable(stub) -> None:
    options = tracking_edge_pb2.InstrumentOptions(list_id="weekly-digest")
    reply = stub.InstrumentMessage(
        tracking_edge_pb2.InstrumentMessageRequest(message=message(options=options))
    ).message
    token = reply.unsubscribe_url.rsplit("/", 1)[1]
    claims = verify(token, KEYS)
    assert (claims.kind, claims.list_id) == (events_pb2.HIT_KIND_UNSUBSCRIBE, "weekly-digest")
    headers = {h.name: h.value for h in reply.headers}
    assert headers["List-Unsubscribe"] == f"<{reply.unsubscribe_url}>"
    assert token.startswith("v2.") and "weekly" not in token and "acme" not in token
    global_reply = stub.InstrumentMessage(
        tracking_edge_pb2.InstrumentMessageRequest(message=message())
    ).message
    assert verify(global_reply.unsubscribe_url.rsplit("/", 1)[1], KEYS).list_id == ""


def test_honeypot_link_is_signed_as_honeypot(stub) -> None:
    reply = stub.InstrumentMessage(
        tracking_edge_pb2.InstrumentMessageRequest(message=message())
    ).message
    tokens = [part.split('"')[0] for part in reply.html.split(BASE + "/c/")[1:]]
    honeypots = [t for t in tokens if verify(t, KEYS).honeypot]
    assert len(honeypots) == 1


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"tenant_id": ""}, "tenant_id is required"),
        ({"html": "", "text": ""}, "html or text is required"),
        ({"message_id": "x" * 300}, "message_id is longer"),
        ({"campaign_id": "a\r\nBcc: victim@example.com"}, "control characters"),
        (
            {"options": tracking_edge_pb2.InstrumentOptions(unsubscribe_mailto="not an address")},
            "unsubscribe_mailto",
        ),
        ({"options": tracking_edge_pb2.InstrumentOptions(list_id="a\nb")}, "list_id"),
    ],
)
def test_invalid_input_is_invalid_argument(stub, fields, expected) -> None:
    with pytest.raises(grpc.RpcError) as error:
        stub.InstrumentMessage(
            tracking_edge_pb2.InstrumentMessageRequest(message=message(**fields))
        )
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert expected in (error.value.details() or "")


def test_batch_and_stream_forms(stub) -> None:
    batch = stub.InstrumentMessages(
        tracking_edge_pb2.InstrumentMessagesRequest(
            messages=[message(message_id=f"m-{i}") for i in range(5)]
        )
    )
    assert [m.message_id for m in batch.messages] == [f"m-{i}" for i in range(5)]
    requests = [
        tracking_edge_pb2.InstrumentMessageStreamRequest(message=message(message_id="s-1")),
        tracking_edge_pb2.InstrumentMessageStreamRequest(message=message(tenant_id="")),
        tracking_edge_pb2.InstrumentMessageStreamRequest(message=message(message_id="s-3")),
    ]
    replies = list(stub.InstrumentMessageStream(iter(requests)))
    assert replies[0].message.message_id == "s-1"
    assert "tenant_id" in replies[1].error
    assert replies[2].message.message_id == "s-3"


def test_verify_token_rpc(stub) -> None:
    reply = stub.InstrumentMessage(
        tracking_edge_pb2.InstrumentMessageRequest(message=message())
    ).message
    token = reply.links[0].tracking_url.rsplit("/", 1)[1]
    ok = stub.VerifyToken(tracking_edge_pb2.VerifyTokenRequest(token=token))
    assert ok.valid and ok.link_url == "https://shop.example/a?x=1&y=2"
    bad = stub.VerifyToken(tracking_edge_pb2.VerifyTokenRequest(token=token[:-2] + "xx"))
    assert not bad.valid and bad.error


def test_verify_token_rpc_shows_an_old_token_as_valid_but_expired(stub) -> None:
    sent = message(options=tracking_edge_pb2.InstrumentOptions(list_id="weekly"))
    sent.sent_at.FromSeconds(1_000_000_000)  # 2001: far past the 365-day tracking window
    reply = stub.InstrumentMessage(tracking_edge_pb2.InstrumentMessageRequest(message=sent))
    token = reply.message.unsubscribe_url.rsplit("/", 1)[1]
    found = stub.VerifyToken(tracking_edge_pb2.VerifyTokenRequest(token=token))
    assert found.valid and found.expired
    assert (found.list_id, found.tracking_host) == ("weekly", "t.example.com")
