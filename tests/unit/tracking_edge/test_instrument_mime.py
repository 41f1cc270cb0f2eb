"""InstrumentMime, InstrumentMimeStream and InstrumentMimeBatch in-process on port 0, through
generated stubs: transfer encodings and charsets, ids from headers, DKIM, size and nesting
limits, a batch's per-message refusals."""

from __future__ import annotations

import base64
import email
import re
from collections.abc import Iterator
from email.policy import compat32

import grpc
import pytest

from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.tokens import TokenKeys, verify
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc
from services.tracking_edge.instrument import Instrumenter
from services.tracking_edge.instrument_mime import MAX_MIME_BYTES
from services.tracking_edge.server import TrackingEdgeServicer
from tests.grpc_credentials import TEST_AUTH, keyed_channel

KEYS = TokenKeys.parse("k1:" + "s" * 43)
BASE = "https://t.example.com"
pb = tracking_edge_pb2
IDS = pb.MessageToInstrument(
    tenant_id="acme", campaign_id="spring", message_id="m-1", recipient_id="r-1"
)
HEAD = (
    b"From: Shop <shop@example.com>\r\nTo: ada@example.org\r\n"
    b"Subject: Offers\r\nMIME-Version: 1.0\r\n"
)


@pytest.fixture(scope="module")
def stub() -> Iterator[tracking_edge_pb2_grpc.TrackingEdgeServiceStub]:
    registration = ServiceRegistration(
        TrackingEdgeServicer(Instrumenter(BASE, KEYS), KEYS),
        tracking_edge_pb2_grpc.add_TrackingEdgeServiceServicer_to_server,
        "emailtrack.v1.TrackingEdgeService",
    )
    server = start_server([registration], port=0, host="127.0.0.1", auth=TEST_AUTH)
    channel = keyed_channel(f"127.0.0.1:{server.port}")
    yield tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
    channel.close()
    server.stop(0)


def call(
    stub: tracking_edge_pb2_grpc.TrackingEdgeServiceStub, raw: bytes, **fields: object
) -> pb.InstrumentMimeResponse:
    values: dict[str, object] = {"mime": raw, "message": IDS, **fields}
    return stub.InstrumentMime(pb.InstrumentMimeRequest(**values))  # type: ignore[arg-type]  # test fields passed as keywords


def payloads(raw: bytes) -> dict[str, bytes]:
    message = email.message_from_bytes(raw, policy=compat32)
    return {
        p.get_content_type(): bytes(p.get_payload(decode=True))
        for p in message.walk()
        if not p.is_multipart()
    }


def test_quoted_printable_latin1_text_with_soft_breaks_is_decoded_and_reencoded(stub) -> None:
    raw = HEAD + (
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Caf=E9 cr=E8me: https://shop.exam=\r\nple/sale?a=3D1 and more words here.\r\n"
    )
    reply = call(stub, raw)
    text = payloads(reply.mime)["text/plain"].decode("iso-8859-1")
    assert text.startswith("Café crème: " + BASE + "/c/")
    claims = verify(reply.message.links[0].tracking_url.rsplit("/", 1)[1], KEYS)
    assert claims.link_url == "https://shop.example/sale?a=1"
    body = reply.mime.split(b"\r\n\r\n", 1)[1]
    assert all(len(line) <= 76 for line in body.split(b"\r\n"))
    assert b"\r\n" in reply.mime and b"\n" not in reply.mime.replace(b"\r\n", b"")


def test_base64_html_gets_pixel_and_links_in_same_line_length(stub) -> None:
    html = '<html><body><p>Grüße</p><a href="https://shop.example/">Shop</a></body></html>'
    body = base64.encodebytes(html.encode("utf-8")).replace(b"\n", b"\r\n")
    raw = HEAD + (
        b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + body
    )
    reply = call(stub, raw)
    out = payloads(reply.mime)["text/html"].decode("utf-8")
    assert "Grüße" in out and reply.message.pixel_url in out
    assert reply.message.links[0].original_url == "https://shop.example/"
    body_out = reply.mime.split(b"\r\n\r\n", 1)[1]
    assert {len(line) for line in body_out.split(b"\r\n")[:-2]} == {76}
    assert reply.instrumented_parts == 1


def test_alternative_shares_link_indexes_and_keeps_attachment_bytes(stub) -> None:
    attachment = base64.encodebytes(b"%PDF-1.4 https://not.a.link/ \x00\xff").replace(
        b"\n", b"\r\n"
    )
    raw = HEAD + (
        b'Content-Type: multipart/mixed; boundary="outer"\r\n\r\nThis is MIME.\r\n--outer\r\n'
        b'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n--inner\r\n'
        b"Content-Type: text/plain\r\n\r\nSee https://shop.example/a\r\n--inner\r\n"
        b'Content-Type: text/html\r\n\r\n<a href="https://shop.example/a">a</a>\r\n--inner--\r\n'
        b"--outer\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="a.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + attachment + b"--outer\r\n"
        b'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="notes.txt"\r\n\r\n'
        b"https://untouched.example/\r\n--outer--\r\nepilogue\r\n"
    )
    reply = call(stub, raw)
    assert [(link.index, link.original_url) for link in reply.message.links] == [
        (0, "https://shop.example/a")
    ]
    tokens = re.findall(rb"/c/([\w.-]+)", reply.mime)
    claims = [verify(token.decode(), KEYS) for token in tokens]
    assert sorted((c.link_index, c.link_url) for c in claims if not c.honeypot) == [
        (0, "https://shop.example/a"),
        (0, "https://shop.example/a"),
    ]
    assert (
        attachment in reply.mime
        and b"https://untouched.example/\r\n--outer--\r\nepilogue\r\n" in reply.mime
    )
    assert reply.instrumented_parts == 2


def test_ids_from_headers_and_header_fields_removed_and_replaced(stub) -> None:
    raw = (
        b"From: shop@example.com\r\nX-Emailtrack-Tenant: acme\r\nX-Emailtrack-Campaign: spring\r\n"
        b"X-Emailtrack-Message: m-9\r\nx-emailtrack-recipient: ada@example.org\r\n"
        b"List-Unsubscribe: <https://old.example/u>\r\nSubject: folded\r\n  subject\r\n\r\n"
        b"Hello https://shop.example/\r\n"
    )
    reply = stub.InstrumentMime(pb.InstrumentMimeRequest(mime=raw))
    claims = verify(reply.message.links[0].tracking_url.rsplit("/", 1)[1], KEYS)
    assert (claims.tenant_id, claims.message_id, claims.recipient_id) == (
        "acme",
        "m-9",
        "ada@example.org",
    )
    head = reply.mime.split(b"\r\n\r\n", 1)[0]
    assert head.startswith(b"From: shop@example.com\r\nSubject: folded\r\n  subject\r\n")
    assert b"ada@example.org" not in head and b"old.example" not in head
    assert (
        b"X-Emailtrack-Message: m-9" in head
        and b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in head
    )


def test_long_lines_in_8bit_html_become_quoted_printable(stub) -> None:
    links = "".join(f'<a href="https://shop.example/{n}">{n}</a>' for n in range(20))
    raw = (
        HEAD
        + b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + links.encode()
    )
    reply = call(stub, raw)
    assert b"Content-Transfer-Encoding: quoted-printable\r\n" in reply.mime
    assert max(len(line) for line in reply.mime.split(b"\r\n")) <= 998
    assert payloads(reply.mime)["text/html"].count(BASE.encode() + b"/c/") == 21  # 20 + honeypot


def test_dkim_signed_message_is_refused_unless_stripped(stub) -> None:
    raw = (
        b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1;\r\n b=abc\r\n"
        + HEAD
        + b"\r\nhi\r\n"
    )
    with pytest.raises(grpc.RpcError) as refused:
        call(stub, raw)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "instrument before signing" in str(refused.value.details())
    assert not call(stub, raw, strip_dkim_signature=True).mime.startswith(b"DKIM")


@pytest.mark.parametrize(
    ("raw", "fields", "expected"),
    [
        (b"", {}, "mime is required"),
        (b"From: a@b\r\n\r\nx" + b"x" * MAX_MIME_BYTES, {}, "the limit is"),
        (
            HEAD + b"\r\nhi",
            {"message": pb.MessageToInstrument(tenant_id="acme")},
            "campaign_id is required",
        ),
        (
            HEAD + b"\r\nhi",
            {"message": pb.MessageToInstrument(html="<p>", tenant_id="a")},
            "must be empty",
        ),
        (
            HEAD
            + b"Content-Type: multipart/mixed; boundary=b0\r\n\r\n"
            + b"".join(
                b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (n, n + 1)
                for n in range(30)
            ),
            {},
            "nested deeper",
        ),
    ],
)
def test_bad_input_is_invalid_argument_with_a_reason(stub, raw, fields, expected) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        call(stub, raw, **fields)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert expected in str(refused.value.details())


def test_stream_answers_each_message_in_order_and_goes_on_after_an_error(stub) -> None:
    good = HEAD + b"\r\nhttps://shop.example/\r\n"
    signed = b"DKIM-Signature: v=1\r\n" + good
    requests = [
        pb.InstrumentMimeStreamRequest(request=pb.InstrumentMimeRequest(mime=m, message=IDS))
        for m in (good, signed, good)
    ]
    replies = list(stub.InstrumentMimeStream(iter(requests)))
    assert [bool(r.error) for r in replies] == [False, True, False]
    assert "DKIM-Signature" in replies[1].error
    assert BASE.encode() in replies[2].response.mime


def test_batch_answers_each_message_in_order_with_the_reason_of_a_refusal(stub) -> None:
    good = HEAD + b"\r\nhttps://shop.example/\r\n"
    signed = b"DKIM-Signature: v=1\r\n" + good
    other = pb.MessageToInstrument(
        tenant_id="acme", campaign_id="spring", message_id="m-1", recipient_id="r-2"
    )
    requests = [
        pb.InstrumentMimeRequest(mime=good, message=IDS),
        pb.InstrumentMimeRequest(mime=signed, message=IDS),
        pb.InstrumentMimeRequest(mime=b"", message=IDS),
        pb.InstrumentMimeRequest(mime=good, message=other),
    ]
    results = stub.InstrumentMimeBatch(pb.InstrumentMimeBatchRequest(requests=requests)).results
    assert [r.refusal for r in results] == [
        pb.INSTRUMENT_MIME_REFUSAL_UNSPECIFIED,
        pb.INSTRUMENT_MIME_REFUSAL_DKIM_SIGNATURE_PRESENT,
        pb.INSTRUMENT_MIME_REFUSAL_INVALID_ARGUMENT,
        pb.INSTRUMENT_MIME_REFUSAL_UNSPECIFIED,
    ]
    assert "DKIM-Signature" in results[1].error and "mime is required" in results[2].error
    assert not results[1].HasField("response") and not results[0].error
    # the same message for two recipients: each copy carries its own recipient's tokens
    for result, recipient in ((results[0], "r-1"), (results[3], "r-2")):
        url = result.response.message.links[0].tracking_url
        assert url.encode() in result.response.mime
        assert verify(url.rsplit("/", 1)[1], KEYS).recipient_id == recipient


@pytest.mark.parametrize(
    ("count", "size", "expected"),
    [(0, 10, "must not be empty"), (1001, 10, "at most 1000"), (2, 25 * 1024 * 1024, "limit")],
)
def test_batch_bounds_are_invalid_argument(stub, count, size, expected) -> None:
    one = pb.InstrumentMimeRequest(mime=HEAD + b"\r\n" + b"x" * size, message=IDS)
    with pytest.raises(grpc.RpcError) as refused:
        stub.InstrumentMimeBatch(pb.InstrumentMimeBatchRequest(requests=[one] * count))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert expected in str(refused.value.details())
