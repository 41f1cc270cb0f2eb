"""InstrumentMime on generated and on arbitrary messages: any bytes give a result or a clear
refusal (InvalidInput or DkimSignaturePresent, never another exception); a generated MIME tree
(random nesting, charsets, transfer encodings, attachments, line breaks) comes out
byte-identical outside its header section and text parts, and the standard library parses the
same tree."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.policy import SMTP, default

from hypothesis import given, settings
from hypothesis import strategies as st

from emailtrack.common.tokens import TokenKeys
from emailtrack.v1 import tracking_edge_pb2
from services.tracking_edge.instrument import Instrumenter, InvalidInput
from services.tracking_edge.instrument_mime import DkimSignaturePresent, MimeInstrumenter
from tests.unit.tracking_edge.test_instrument_mime_corpus import (
    assert_identical_outside_text_parts,
    assert_same_tree,
)

KEYS = TokenKeys.parse("k1:" + "s" * 43)
MIME = MimeInstrumenter(Instrumenter("https://t.example.com", KEYS))
IDS = tracking_edge_pb2.MessageToInstrument(
    tenant_id="acme", campaign_id="fuzz", message_id="m", recipient_id="r"
)
WORDS = st.sampled_from(
    [
        "Grüße",
        "hello",
        "https://shop.example/a?x=1",
        '<a href="https://b.example/">b</a>',
        "\n",
        "  ",
        "=",
        "€",
        "Ωμέγα",
        ".",
        "long" * 40,
        "{{unsubscribe}}",
        "\t",
    ]
)
TEXTS = st.lists(WORDS, min_size=1, max_size=30).map(" ".join)
CHARSETS = st.sampled_from(["utf-8", "iso-8859-1", "iso-8859-7", "koi8-r", "windows-1252"])
ENCODINGS = st.sampled_from(["quoted-printable", "base64", "7bit", "8bit"])
FRAGMENTS = st.sampled_from(
    [
        b'Content-Type: multipart/mixed; boundary="b"\r\n',
        b"--b\r\n",
        b"--b--\r\n",
        b"\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Type: text/html\r\n",
        b"=\r\n",
        b'<a href="https://x.example/">',
        b"DKIM-Signature: x\r\n",
        b"\n",
        b"\x00",
        b"\xff",
        b"X-Emailtrack-Campaign: c\r\n",
        b"Subject: s\r\n",
        b"--b  \r\n",
        b"QUJD\r\n",
    ]
)


def text_part(text: str, subtype: str, charset: str, encoding: str) -> EmailMessage:
    part = EmailMessage(policy=default)
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"
    if encoding == "7bit" and not text.isascii():
        encoding = "quoted-printable"
    part.set_content(text, subtype=subtype, charset=charset, cte=encoding)
    return part


@st.composite
def messages(draw: st.DrawFn, depth: int = 0) -> EmailMessage:
    kind = draw(
        st.sampled_from(
            ["text", "html", "attachment", "multipart"]
            if depth < 3
            else ["text", "html", "attachment"]
        )
    )
    if kind in ("text", "html"):
        subtype = "plain" if kind == "text" else "html"
        return text_part(draw(TEXTS), subtype, draw(CHARSETS), draw(ENCODINGS))
    if kind == "attachment":
        part = EmailMessage(policy=default)
        part.set_content(
            draw(st.binary(max_size=300)), "application", "octet-stream", filename="a.bin"
        )
        return part
    container = EmailMessage(policy=default)
    getattr(container, "make_" + draw(st.sampled_from(["mixed", "alternative", "related"])))()
    for child in draw(st.lists(messages(depth + 1), min_size=1, max_size=3)):
        container.attach(child)
    container.preamble = draw(st.sampled_from([None, "This is MIME.", "https://pre.example/"]))
    container.epilogue = draw(st.sampled_from([None, "", "epilogue https://post.example/\n"]))
    return container


def serialise(message: EmailMessage, crlf: bool) -> bytes:
    message["From"] = "shop@example.com"
    message["Subject"] = "fuzz"
    raw = message.as_bytes(policy=SMTP if crlf else default)
    return raw if crlf else re.sub(rb"\r\n", b"\n", raw)


@settings(max_examples=150, deadline=None)
@given(messages(), st.booleans())
def test_generated_messages_change_only_header_section_and_text_parts(
    message: EmailMessage, crlf: bool
) -> None:
    raw = serialise(message, crlf)
    reply = MIME.instrument(tracking_edge_pb2.InstrumentMimeRequest(mime=raw, message=IDS))
    assert_identical_outside_text_parts(raw, reply.mime)
    assert_same_tree(raw, reply.mime)


@settings(max_examples=400, deadline=None)
@given(st.lists(FRAGMENTS | st.binary(max_size=20), max_size=40).map(b"".join))
def test_arbitrary_bytes_give_a_result_or_a_clear_refusal(raw: bytes) -> None:
    request = tracking_edge_pb2.InstrumentMimeRequest(mime=raw, message=IDS)
    try:
        reply = MIME.instrument(request)
    except (InvalidInput, DkimSignaturePresent) as refused:  # INVALID_ARGUMENT, FAILED_PRECONDITION
        assert str(refused)
        return
    assert reply.mime
