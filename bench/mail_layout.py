"""The lines of a raw message and the role of each (header field, continuation, end of a
header block, MIME boundary, body text of a leaf part), read without the stdlib so that a
rewrite changes only what it means to (bench/mail_transforms.py): ``layout`` tells, for each
line, whether it starts or continues a header field (of the message, of a MIME part, of a
returned message or of a delivery-status group), ends a header block, is a MIME boundary or is
body text, and which leaf part's body it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

FIELD_RE = re.compile(rb"^([!-9;-~]+)[ \t]*:")
BOUNDARY_RE = re.compile(rb'boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))', re.IGNORECASE)
HEADER_TYPES = {b"message/rfc822", b"text/rfc822-headers", b"message/global"}
DSN_TYPES = {b"message/delivery-status", b"message/global-delivery-status"}
REPORT_TYPES = DSN_TYPES | {b"message/feedback-report"}
PLAIN_ENCODINGS = {b"", b"7bit", b"8bit"}


@dataclass
class Part:
    """A header block and what follows it: field-start lines, their type, and the body lines
    (a leaf's) as indices into the message's lines."""

    fields: list[int] = field(default_factory=list)
    content_type: bytes = b"text/plain"
    encoding: bytes = b""
    body: list[int] = field(default_factory=list)
    in_dsn: bool = False
    mime: bool = True  # its body is read as MIME (not so a text/rfc822-headers block's)


@dataclass
class Layout:
    """A message's lines (with their endings) and the role of each."""

    lines: list[bytes]
    role: list[str]  # "field", "continuation", "blank", "boundary", "body", "dsn-blank"
    parts: list[Part]


def content(line: bytes) -> bytes:
    return line.rstrip(b"\r\n")


def field_value(lines: list[bytes], at: int) -> bytes:
    """The unfolded value of the field starting at line ``at``."""
    value = content(lines[at]).partition(b":")[2]
    for line in lines[at + 1 :]:
        if line[:1] not in (b" ", b"\t"):
            break
        value += b" " + content(line).strip()
    return value.strip()


def layout(raw: bytes) -> Layout:
    """Split ``raw`` into lines and tell each line's role (see the module docstring)."""
    lines = raw.splitlines(keepends=True)
    open_boundaries: list[bytes] = []  # "--boundary" of each enclosing multipart, outermost first
    role: list[str] = []
    parts: list[Part] = []
    state = "headers"
    part = Part()
    for at, line in enumerate(lines):
        text = content(line)
        delimiter = text.rstrip()
        closing = delimiter[:-2] in open_boundaries and delimiter.endswith(b"--")
        if state != "headers" and (delimiter in open_boundaries or closing):
            role.append("boundary")
            level = open_boundaries.index(delimiter[:-2] if closing else delimiter)
            del open_boundaries[level + (0 if closing else 1) :]
            state = "body" if closing else "headers"
            part = Part()
            if not closing:
                parts.append(part)
            continue
        folded = text[:1] in (b" ", b"\t")
        if (state == "headers" and folded) or (
            state == "dsn" and folded and text.strip() and role[-1] in ("field", "continuation")
        ):
            # (in a header block, as for the stdlib, even a first line of white space only)
            role.append("continuation")
        elif state in ("headers", "dsn") and FIELD_RE.match(text):
            role.append("field")
            part.fields.append(at)
            part.in_dsn = state == "dsn"
        elif state == "dsn" and not text.strip():
            role.append("dsn-blank")
        elif state == "headers" and not text.strip():
            role.append("blank")
            for start in part.fields:
                name = FIELD_RE.match(content(lines[start]))
                assert name is not None
                value = field_value(lines, start).split(b";")[0].strip().lower()
                if name.group(1).lower() == b"content-type" and value:
                    part.content_type = value
                    boundary = BOUNDARY_RE.search(field_value(lines, start))
                    if value.startswith(b"multipart/") and boundary and part.mime:
                        open_boundaries.append(b"--" + (boundary.group(1) or boundary.group(2)))
                elif name.group(1).lower() == b"content-transfer-encoding":
                    part.encoding = value
            if not parts:
                parts.append(part)
            nested = Part(mime=part.content_type != b"text/rfc822-headers")
            if part.content_type in HEADER_TYPES:
                state = "headers"
            elif part.content_type in DSN_TYPES:
                state = "dsn"
            else:
                state, nested = "body", part
            if nested is not part:
                parts.append(nested)
                part = nested
        else:
            if state == "headers" and at == 0 and text.startswith(b"From "):
                role.append("body")  # an mbox "From " line before the first field
                continue
            role.append("body")
            state = "body" if state == "headers" else state
            part.body.append(at)
    return Layout(lines, role, parts)


def newline_of(raw: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in raw else b"\n"


def join(lines: Iterable[bytes]) -> bytes:
    return b"".join(lines)


def with_ending(text: bytes, like: bytes) -> bytes:
    return text + like[len(content(like)) :]


def rewrite_lines(raw: bytes, roles: set[str], edit: Callable[[bytes], bytes]) -> bytes:
    shape = layout(raw)
    return join(
        with_ending(edit(content(line)), line) if role in roles else line
        for line, role in zip(shape.lines, shape.role, strict=True)
    )
