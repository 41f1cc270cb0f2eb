"""Decodes a text part's raw body to a string and encodes the instrumented string back the same
way: same Content-Transfer-Encoding (7bit, 8bit, binary, quoted-printable, base64), same
charset, same line breaks, same base64 line length.

Bytes a charset cannot decode are carried through as surrogate escapes, so they come back
unchanged. One exception to "the same way": a 7bit/8bit/binary body whose lines would exceed
RFC 5322's 998-octet limit once long tracking URLs are in is re-encoded as quoted-printable
(the caller updates the part's Content-Transfer-Encoding field).
"""

from __future__ import annotations

import base64
import binascii
import codecs
from dataclasses import dataclass
from email.message import Message

MAX_LINE_OCTETS = 998
QUOTED_PRINTABLE = "quoted-printable"
_IDENTITY = ("7bit", "8bit", "binary")
_SUPPORTED = (*_IDENTITY, QUOTED_PRINTABLE, "base64")


@dataclass(frozen=True)
class BodyCodec:
    transfer_encoding: str
    charset: str
    line_break: bytes
    base64_line_length: int

    def decode(self, body: bytes) -> str:
        if self.transfer_encoding == QUOTED_PRINTABLE:
            data = binascii.a2b_qp(body)
        elif self.transfer_encoding == "base64":
            compact = b"".join(body.split())
            data = base64.b64decode(compact + b"=" * (-len(compact) % 4), validate=False)
        else:
            data = body
        return data.decode(self.charset, "surrogateescape")

    def encode(self, text: str, original: bytes) -> tuple[bytes, str]:
        """The encoded body and its transfer encoding (changed only for over-long lines)."""
        data = text.encode(self.charset, "surrogateescape")
        if self.transfer_encoding == "base64":
            return self._base64(data, original), self.transfer_encoding
        if self.transfer_encoding in _IDENTITY and _longest_line(data) <= MAX_LINE_OCTETS:
            return data, self.transfer_encoding
        return self._quoted_printable(data), QUOTED_PRINTABLE

    def _base64(self, data: bytes, original: bytes) -> bytes:
        encoded = base64.b64encode(data)
        step = self.base64_line_length
        lines = [encoded[i : i + step] for i in range(0, len(encoded), step)]
        trailing = self.line_break if original.endswith(b"\n") else b""
        return self.line_break.join(lines) + trailing

    def _quoted_printable(self, data: bytes) -> bytes:
        unified = data.replace(b"\r\n", b"\n")
        encoded = binascii.b2a_qp(unified, quotetabs=False, istext=True, header=False)
        return encoded.replace(b"\n", self.line_break)


def body_codec(headers: Message, body: bytes, header_line_break: bytes) -> BodyCodec | None:
    """How the body is encoded, or None when it cannot be decoded safely (an unknown transfer
    encoding or charset): such a part is left as it is. Line breaks are the body's own, else
    (a one-line body) those of its header section."""
    transfer_encoding = str(headers.get("content-transfer-encoding", "7bit")).strip().lower()
    if transfer_encoding not in _SUPPORTED:
        return None
    charset = headers.get_content_charset() or "us-ascii"
    try:
        codec_name = codecs.lookup(charset).name
    except LookupError:
        return None
    line_break = header_line_break
    if b"\n" in body:
        line_break = b"\r\n" if b"\r\n" in body else b"\n"
    first_line = body.split(b"\n", 1)[0].strip()
    return BodyCodec(transfer_encoding, codec_name, line_break, len(first_line) or 76)


def _longest_line(data: bytes) -> int:
    return max((len(line.rstrip(b"\r")) for line in data.split(b"\n")), default=0)
