"""The MIME tree of a raw inbound message: the stdlib's compat32 parse, unchanged, of Message
objects whose header lookups go through an index of the fields instead of a scan of them, whose
content type and parameters are parsed once per field value, and whose field values are read
unfolded (``UNFOLDED``); the one repair the parse needs before
reading (transfer encodings the stdlib would not see); and a part's text as sent, its
transfer encoding undone (``sent_text``), the Subject decoded (``decoded_subject``) and a
field's 8-bit or ISO-2022-JP value read as text (``field_text``)."""

from __future__ import annotations

import email.header
import re
from collections.abc import Iterable
from email.feedparser import FeedParser
from email.message import Message
from email.policy import Compat32
from typing import Any

_ABSENT = object()
TRANSFER_ENCODINGS = ("base64", "quoted-printable")
_FOLD_RE = re.compile(r"\r?\n(?=[ \t])")


class _Unfolded(Compat32):
    """compat32, except that a field's value is read unfolded (RFC 5322 2.2.3: the line break
    of a fold is removed, its white space kept): compat32 returns "Automatic\n reply", and a
    rule reading the subject, a sender or a report field would see another text depending on
    where a relay folded the line."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if "\n" in value:
            value = _FOLD_RE.sub("", value)
        return super().header_fetch_parse(name, value)


UNFOLDED = _Unfolded()


class IndexedMessage(Message):
    """A Message whose ``get`` (behind ``msg[name]``, ``get_content_type``, ``get_param``, ...)
    finds the first field of a name through a dict built once from the field list, not by
    lower-casing and comparing every field's name on each lookup (parsers call it for every
    part and bounce headers are long). The dict is rebuilt when the field list is another
    list or has another length: Message's methods add fields by appending, remove them by
    building a new list, and rewrite one in place (replace_header) under its own name. A
    value the policy returned as a str (one without surrogates, unfolded) is returned again
    without asking it while the field still holds that very stored object."""

    def get(self, name: str, failobj: Any = None) -> Any:
        headers: list[tuple[str, Any]] = self._headers  # type: ignore[attr-defined]
        index = self.__dict__.get("_first_field")
        if index is None or index[0] is not headers or index[1] != len(headers):
            first: dict[str, int] = {}
            for at, (field, _) in enumerate(headers):
                first.setdefault(field.lower(), at)
            fetched_strs: dict[int, tuple[Any, str]] = {}
            index = self._first_field = (headers, len(headers), first, fetched_strs)
        position: int | None = index[2].get(name.lower())
        if position is None:
            return failobj
        field, value = headers[position]
        fetched_strs = index[3]
        cached = fetched_strs.get(position)
        if cached is not None and cached[0] is value:
            return cached[1]
        fetched = self.policy.header_fetch_parse(field, value)
        if isinstance(fetched, str):
            fetched_strs[position] = (value, fetched)
        return fetched

    def __contains__(self, name: str) -> bool:
        """Whether a field of that name is present (get_param asks before each parameter)."""
        return self.get(name, _ABSENT) is not _ABSENT

    def get_content_type(self) -> str:
        """Message's answer, kept while the field list is the same list of the same length (so
        the first Content-Type field is at the same place), that field the very same stored
        field, and the default type the same (the parser asks several times per part)."""
        headers: list[tuple[str, Any]] = self._headers  # type: ignore[attr-defined]
        default = self._default_type  # type: ignore[attr-defined]
        cached = self.__dict__.get("_content_type")
        if (
            cached is not None
            and cached[0] is headers
            and cached[1] == len(headers)
            and cached[2] is default
            and (cached[3] is None or headers[cached[3]] is cached[4])
        ):
            return cached[5]
        content_type: str = super().get_content_type()  # (builds the index get keeps)
        position = self._first_field[2].get("content-type")
        stored = None if position is None else headers[position]
        self._content_type = (headers, len(headers), default, position, stored, content_type)
        return content_type

    def _get_params_preserve(self, failobj: Any, header: str) -> Any:
        """Message's parameter list of ``header`` (behind get_param, get_content_charset,
        get_boundary), parsed once per value object ``get`` returns; each caller gets its own
        copy of the list."""
        value = self.get(header, _ABSENT)
        if value is _ABSENT:
            return failobj
        params_by_header = self.__dict__.setdefault("_params", {})
        cached = params_by_header.get(header)
        if cached is None or cached[0] is not value:
            params = super()._get_params_preserve(failobj, header)  # type: ignore[misc]
            cached = params_by_header[header] = (value, params)
        return list(cached[1])


def parse_message(raw: bytes) -> Message:
    """``raw`` parsed as ``email.message_from_bytes(raw, policy=compat32)`` parses it (the same
    tree, stored fields, payloads and defects), fed to the parser whole; values read unfolded."""
    parser = FeedParser(IndexedMessage, policy=UNFOLDED)
    parser.feed(raw.decode("ascii", errors="surrogateescape"))
    return parser.close()


def trim_transfer_encodings(parts: Iterable[Message]) -> None:
    """Each part's Content-Transfer-Encoding without surrounding white space: the stdlib
    decodes a part only when the value is exactly "base64" or "quoted-printable" (any case),
    so a trailing space some MTAs write would leave the text encoded. ``parts``: all of a
    message's (its walk)."""
    for part in parts:
        value = part.get("content-transfer-encoding")
        if isinstance(value, str) and value != value.strip():
            part.replace_header("content-transfer-encoding", value.strip())


def sent_text(part: Message) -> str | None:
    """A leaf part's text once a base64 or quoted-printable transfer encoding is undone
    (``decoded_text``), as stored when it has none; None for a part holding
    parts. Readers of text that must start with header or report fields use it, so the same
    fields are read however a relay encoded them."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return None
    if str(part.get("content-transfer-encoding", "")).lower() not in TRANSFER_ENCODINGS:
        return payload
    return decoded_text(part)


def decoded_subject(msg: Message) -> str:
    """The Subject with RFC 2047 encoded words decoded, and raw 8-bit text (RFC 6532) read as
    UTF-8 (else Latin-1); undecodable encoded words are left as they are. Every rule reading
    the subject reads it so: a relay that encodes subjects changes none of them."""
    value = msg.get("subject")
    if value is None:
        return ""
    if not isinstance(value, email.header.Header) and "=?" not in str(value):
        return str(value)
    try:
        chunks = email.header.decode_header(value)
    except (ValueError, LookupError, UnicodeError):
        return str(value)
    return "".join(_chunk_text(chunk, charset) for chunk, charset in chunks)


def field_text(value: object) -> str:
    """A header field's value as text. compat32 holds a value with raw 8-bit bytes (RFC 6532
    fields, RFC 6533's UTF-8 delivery-status fields, a Latin-1 reply an MTA copied into
    Diagnostic-Code) as an unknown-8bit Header whose str() turns each byte into a replacement
    character: its bytes are read as UTF-8, else Latin-1. ISO-2022-JP (7-bit, escape
    sequences) is read as Japanese. Encoded words are left as they are."""
    if isinstance(value, email.header.Header):
        chunks = email.header.decode_header(value)
        return "".join(_chunk_text(chunk, charset) for chunk, charset in chunks)
    text = str(value)
    if "\x1b$B" in text and text.isascii():
        return text.encode("ascii").decode("iso-2022-jp", errors="replace")
    return text


def _chunk_text(chunk: bytes | str, charset: str | None) -> str:
    if isinstance(chunk, str):
        return chunk
    for encoding in (charset, "utf-8"):
        if encoding and encoding != "unknown-8bit":
            try:
                return chunk.decode(encoding)
            except (LookupError, UnicodeError):
                continue
    return chunk.decode("latin-1")


def decoded_text(part: Message) -> str:
    """A text part's content: its transfer encoding undone and its bytes read in the declared
    charset (ISO-2022-JP where escape sequences show it undeclared, UTF-8 for 8-bit text
    declared US-ASCII, Latin-1 for an unknown charset), an undecodable byte replaced."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    if charset in ("utf-8", "us-ascii") and b"\x1b$B" in payload:
        charset = "iso-2022-jp"  # Japanese carriers' notices often declare no charset
    elif charset == "us-ascii" and not payload.isascii():
        # An MTA labels its own text us-ascii and quotes a remote reply in 8-bit: UTF-8 if
        # it is valid UTF-8, else each stray byte becomes a replacement character.
        charset = "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("latin-1")
