"""InstrumentMime: a raw RFC 5322 message in, the instrumented message out, changed only where
it must be.

- Every text/html and text/plain part that is not an attachment is decoded (transfer encoding,
  charset), instrumented through the same rewriters as InstrumentMessage (one set of tokens for
  the whole message) and encoded back the same way; a part whose text did not change keeps its
  original bytes.
- The header section keeps its fields, order and folding, except that X-Emailtrack-* fields
  (the ids a sender may pass in the message) and any List-Unsubscribe / List-Unsubscribe-Post
  are removed, and the tracking edge's fields are appended after the last one.
- A DKIM-Signature is refused (instrumenting breaks it: instrument first, then sign) unless the
  caller asks to strip it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from email.header import Header, decode_header, make_header

from emailtrack.common import mail_headers
from emailtrack.common.errors import FailedPrecondition
from emailtrack.v1 import tracking_edge_pb2
from services.tracking_edge.domain.mime_codec import BodyCodec, body_codec
from services.tracking_edge.domain.mime_tree import Entity, MimeStructureError, leaf_entities
from services.tracking_edge.instrument import Instrumenter, InvalidInput, validate_ids_and_options

MAX_MIME_BYTES = 25 * 1024 * 1024
FOLD_AT = 78
DKIM_FIELD = "dkim-signature"
RECIPIENT_HEADER = "X-Emailtrack-Recipient"
ID_HEADERS = {
    "tenant_id": mail_headers.TENANT_HEADER,
    "campaign_id": mail_headers.CAMPAIGN_HEADER,
    "message_id": mail_headers.MESSAGE_HEADER,
    "recipient_id": RECIPIENT_HEADER,
    "variant": "X-Emailtrack-Variant",
    "sequence_step": "X-Emailtrack-Sequence-Step",
}
_REPLACED_FIELDS = ("list-unsubscribe", "list-unsubscribe-post")


class DkimSignaturePresent(FailedPrecondition):
    """The message is already signed; instrumenting it would break the signature."""


@dataclass(frozen=True)
class _TextPart:
    entity: Entity
    codec: BodyCodec
    text: str
    is_html: bool


Edit = tuple[int, int, bytes]


class MimeInstrumenter:
    def __init__(self, instrumenter: Instrumenter, max_bytes: int = MAX_MIME_BYTES) -> None:
        self.instrumenter = instrumenter
        self.max_bytes = max_bytes

    def instrument(
        self, request: tracking_edge_pb2.InstrumentMimeRequest
    ) -> tracking_edge_pb2.InstrumentMimeResponse:
        raw = request.mime
        if not raw:
            raise InvalidInput("mime is required")
        if len(raw) > self.max_bytes:
            raise InvalidInput(f"mime is {len(raw)} bytes; the limit is {self.max_bytes}")
        try:
            top, leaves = leaf_entities(raw)
        except MimeStructureError as exc:
            raise InvalidInput(str(exc)) from exc
        names = {field.name for field in top.fields}
        if DKIM_FIELD in names and not request.strip_dkim_signature:
            raise DkimSignaturePresent(
                "the message has a DKIM-Signature, which instrumenting would break: instrument "
                "before signing, or set strip_dkim_signature"
            )
        message = _message_with_header_ids(request.message, top)
        parts = [part for leaf in leaves if (part := _text_part(raw, leaf)) is not None]
        htmls = [part for part in parts if part.is_html]
        texts = [part for part in parts if not part.is_html]
        result, new_htmls, new_texts = self.instrumenter.instrument_bodies(
            message, [part.text for part in htmls], [part.text for part in texts]
        )
        edits: list[Edit] = []
        changed = 0
        for part, new_text in zip([*htmls, *texts], [*new_htmls, *new_texts], strict=True):
            if new_text != part.text:
                changed += 1
                edits.extend(_body_edits(raw, part, new_text))
        edits.extend(_header_edits(raw, top, result.headers, request.strip_dkim_signature))
        return tracking_edge_pb2.InstrumentMimeResponse(
            mime=_splice(raw, edits), message=result, instrumented_parts=changed
        )


def _message_with_header_ids(
    requested: tracking_edge_pb2.MessageToInstrument, top: Entity
) -> tracking_edge_pb2.MessageToInstrument:
    if requested.html or requested.text:
        raise InvalidInput("message.html and message.text must be empty: the bodies come from mime")
    message = tracking_edge_pb2.MessageToInstrument()
    message.CopyFrom(requested)
    for field, header in ID_HEADERS.items():
        if not getattr(message, field):
            value = top.headers.get(header)
            if value is not None:
                setattr(message, field, str(make_header(decode_header(str(value)))).strip())
    validate_ids_and_options(message)
    return message


def _text_part(raw: bytes, entity: Entity) -> _TextPart | None:
    headers = entity.headers
    content_type = headers.get_content_type()
    if content_type not in ("text/html", "text/plain"):
        return None
    if headers.get_content_disposition() == "attachment":
        return None
    body = raw[entity.body_start : entity.body_end]
    codec = body_codec(headers, body, _line_break(raw, entity))
    if codec is None:
        return None
    try:
        text = codec.decode(body)
    except ValueError:  # corrupt base64 or quoted-printable: leave the part alone
        return None
    return _TextPart(entity, codec, text, content_type == "text/html")


def _body_edits(raw: bytes, part: _TextPart, new_text: str) -> list[Edit]:
    entity = part.entity
    original = raw[entity.body_start : entity.body_end]
    body, transfer_encoding = part.codec.encode(new_text, original)
    edits: list[Edit] = [(entity.body_start, entity.body_end, body)]
    if transfer_encoding != part.codec.transfer_encoding:
        field = f"Content-Transfer-Encoding: {transfer_encoding}".encode()
        existing = [f for f in entity.fields if f.name == "content-transfer-encoding"]
        if existing:
            edits.append((existing[0].start, existing[0].end, field))
        else:
            edits.append(_append_fields(raw, entity, [field]))
    return edits


def _header_edits(
    raw: bytes, top: Entity, added: Iterable[tracking_edge_pb2.Header], strip_dkim: bool
) -> list[Edit]:
    edits: list[Edit] = []
    for field in top.fields:
        removed = field.name.startswith("x-emailtrack-") or field.name in _REPLACED_FIELDS
        if removed or (strip_dkim and field.name == DKIM_FIELD):
            edits.append((field.start, _after_line_break(raw, field.end), b""))
    line_break = _line_break(raw, top)
    fields = [_header_field(header.name, header.value, line_break) for header in added]
    edits.append(_append_fields(raw, top, fields))
    return edits


def _append_fields(raw: bytes, entity: Entity, fields: list[bytes]) -> Edit:
    """An insertion of whole fields after the entity's last header field."""
    line_break = _line_break(raw, entity)
    if not entity.fields:  # the entity starts with its blank line
        return (entity.header_end, entity.header_end, b"".join(f + line_break for f in fields))
    position = _after_line_break(raw, entity.header_end)
    prefix = line_break if position == entity.header_end else b""
    return (position, position, prefix + b"".join(f + line_break for f in fields))


def _header_field(name: str, value: str, line_break: bytes) -> bytes:
    """One field; non-ASCII values as RFC 2047 words, URI lists folded after their commas."""
    if not value.isascii():
        return f"{name}: {Header(value, 'utf-8', header_name=name).encode()}".encode()
    pieces = value.split(", ")
    line = f"{name}: {pieces[0]}"
    folded: list[str] = []
    for piece in pieces[1:]:
        if len(line) + 2 + len(piece) > FOLD_AT:
            folded.append(line + ",")
            line = " " + piece
        else:
            line += ", " + piece
    folded.append(line)
    return line_break.join(part.encode() for part in folded)


def _line_break(raw: bytes, entity: Entity) -> bytes:
    end = entity.header_end
    return b"\n" if raw.startswith(b"\n", end) else b"\r\n"


def _after_line_break(raw: bytes, position: int) -> int:
    if raw.startswith(b"\r\n", position):
        return position + 2
    return position + 1 if raw.startswith(b"\n", position) else position


def _splice(raw: bytes, edits: list[Edit]) -> bytes:
    pieces: list[bytes] = []
    position = 0
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        pieces.append(raw[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(raw[position:])
    return b"".join(pieces)
