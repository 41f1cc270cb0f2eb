"""InstrumentMime over real messages (tests/data/mime/README.md): each comes out byte-identical
outside its header section and its text parts, keeps its header fields in order, and the
standard library's parser sees the same tree with the same decoded attachments."""

from __future__ import annotations

import email
import re
from email.message import Message
from email.policy import compat32
from pathlib import Path

import pytest

from emailtrack.common.tokens import TokenKeys
from emailtrack.v1 import tracking_edge_pb2
from services.tracking_edge.domain.mime_tree import leaf_entities
from services.tracking_edge.instrument import Instrumenter
from services.tracking_edge.instrument_mime import MimeInstrumenter

CORPUS = Path(__file__).resolve().parents[2] / "data" / "mime"
MESSAGES = sorted(p for p in CORPUS.glob("*/*") if p.name not in ("LICENSE",))
BASE = "https://t.example.com"
KEYS = TokenKeys.parse("k1:" + "s" * 43)
IDS = tracking_edge_pb2.MessageToInstrument(
    tenant_id="acme", campaign_id="corpus", message_id="m-1", recipient_id="r-1"
)
REMOVED = re.compile(rb"(?i)(x-emailtrack-|list-unsubscribe|dkim-signature)")


def crlf(raw: bytes) -> bytes:
    return re.sub(rb"\r?\n", b"\r\n", raw)


def instrument(raw: bytes) -> tracking_edge_pb2.InstrumentMimeResponse:
    mime = MimeInstrumenter(Instrumenter(BASE, KEYS))
    return mime.instrument(
        tracking_edge_pb2.InstrumentMimeRequest(mime=raw, message=IDS, strip_dkim_signature=True)
    )


def kept_segments(raw: bytes) -> list[bytes]:
    """The input's bytes after its header section, minus the bodies of its text parts and their
    Content-Transfer-Encoding fields (a 7bit/8bit part whose lines grow past 998 octets becomes
    quoted-printable)."""
    top, leaves = leaf_entities(raw)
    spans = []
    for leaf in leaves:
        if leaf.headers.get_content_type() in ("text/html", "text/plain"):
            spans.append((leaf.body_start, leaf.body_end))
            spans.extend(
                (field.start, field.end)
                for field in leaf.fields
                if field.name == "content-transfer-encoding"
            )
    segments, position = [], top.body_start
    for start, end in sorted(spans):
        segments.append(raw[position:start])
        position = max(position, end)
    segments.append(raw[position:])
    return segments


def assert_identical_outside_text_parts(raw: bytes, out: bytes) -> None:
    top_in, leaves = leaf_entities(raw)
    top_out, _ = leaf_entities(out)
    leaves_in = [leaf for leaf in leaves if leaf is not top_in]
    head, position = out[: top_out.body_start], 0
    for field in top_in.fields:  # in order, byte-identical (a text message's CTE may change)
        line = raw[field.start : next_field_start(raw, field.end)]
        if REMOVED.match(line) or (field.name == "content-transfer-encoding" and not leaves_in):
            continue
        found = head.find(line, position)
        assert found >= 0, f"header field {line[:60]!r} missing or out of order"
        position = found + len(line)
    segments = kept_segments(raw)
    assert out[top_out.body_start :].startswith(segments[0])
    assert out.endswith(segments[-1])
    position = top_out.body_start + len(segments[0])
    for segment in segments[1:]:
        found = out.find(segment, position)
        assert found >= 0, f"segment {segment[:60]!r} missing or out of order"
        position = found + len(segment)


def next_field_start(raw: bytes, end: int) -> int:
    return end + (2 if raw.startswith(b"\r\n", end) else 1 if raw.startswith(b"\n", end) else 0)


def assert_same_tree(raw: bytes, out: bytes) -> None:
    before = list(email.message_from_bytes(raw, policy=compat32).walk())
    after = list(email.message_from_bytes(out, policy=compat32).walk())
    assert [p.get_content_type() for p in before] == [p.get_content_type() for p in after]
    for old, new in zip(before, after, strict=True):
        if old.is_multipart():
            assert (old.preamble, old.epilogue) == (new.preamble, new.epilogue)
        elif not is_text(old):
            assert old.get_payload(decode=True) == new.get_payload(decode=True)
        elif old.get_payload(decode=True) != new.get_payload(decode=True):
            assert BASE.encode() in new.get_payload(decode=True)


def is_text(part: Message) -> bool:
    return part.get_content_type() in ("text/html", "text/plain")


@pytest.mark.parametrize("line_breaks", ["as-shipped", "crlf"])
@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_message_is_identical_outside_instrumented_parts(path: Path, line_breaks: str) -> None:
    raw = path.read_bytes() if line_breaks == "as-shipped" else crlf(path.read_bytes())
    reply = instrument(raw)
    assert_identical_outside_text_parts(raw, reply.mime)
    assert_same_tree(raw, reply.mime)
    added = b"List-Unsubscribe: <" + BASE.encode()
    assert added in reply.mime[: leaf_entities(reply.mime)[0].body_start]


def test_corpus_covers_links_in_html_and_text() -> None:
    links = html_parts = 0
    for path in MESSAGES:
        reply = instrument(path.read_bytes())
        links += len(reply.message.links)
        html_parts += bool(reply.message.pixel_url)
    assert len(MESSAGES) == 68
    assert links >= 60 and html_parts >= 15
