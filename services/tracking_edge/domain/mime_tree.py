"""Locates the parts of a raw RFC 5322 / MIME message as byte spans, so that instrumenting can
splice new bodies into the original bytes instead of re-serialising the message.

A header section is split into fields (a field runs until the next line that does not start
with a space or tab, RFC 5322 2.2.3); the Content-Type and Content-Transfer-Encoding of each
entity are read with the standard library's header parser. A multipart body is cut at its
delimiter lines (RFC 2046 5.1.1: `--boundary` at the start of a line, optional trailing
whitespace; the line break before a delimiter belongs to it). Everything between the spans —
preamble, delimiters, epilogue, other parts — is never looked at again, so it comes out as it
went in. Nesting depth and part count are bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32

MAX_DEPTH = 20
MAX_PARTS = 1_000

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_LINE_START = re.compile(rb"\r?\n(?![ \t])")
_HEADER_PARSER = BytesHeaderParser(policy=compat32)


class MimeStructureError(ValueError):
    """The message is nested too deeply or has too many parts."""


@dataclass(frozen=True)
class HeaderField:
    """One header field: its lower-cased name and the span of its raw bytes (folding included,
    line break excluded) in the message."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Entity:
    """A message or body part: where its header section and body are, and the parsed headers."""

    fields: tuple[HeaderField, ...]
    headers: Message
    header_end: int
    """Offset just after the header section's last field (where new fields can go)."""
    body_start: int
    body_end: int


def header_fields(raw: bytes, start: int, end: int) -> tuple[tuple[HeaderField, ...], int]:
    """The fields of the header section starting at ``start`` and the body's offset.

    The section ends at the first empty line (before ``end``); without one, it is all header.
    """
    if raw.startswith(b"\r\n", start) or raw.startswith(b"\n", start):
        return (), start + (2 if raw.startswith(b"\r\n", start) else 1)
    blank = _HEADER_END.search(raw, start, end)
    section_end = blank.start() if blank else end
    body_start = blank.end() if blank else end
    fields: list[HeaderField] = []
    position = start
    for line_break in _LINE_START.finditer(raw, start, section_end):
        fields.append(_field(raw, position, line_break.start()))
        position = line_break.end()
    if position < section_end:
        fields.append(_field(raw, position, section_end))
    return tuple(fields), body_start


def _field(raw: bytes, start: int, end: int) -> HeaderField:
    colon = raw.find(b":", start, end)
    name = raw[start : colon if colon >= 0 else start].decode("ascii", "replace")
    return HeaderField(name.strip().lower(), start, end)


def parse_entity(raw: bytes, start: int, end: int) -> Entity:
    fields, body_start = header_fields(raw, start, end)
    header_end = fields[-1].end if fields else start
    headers = _HEADER_PARSER.parsebytes(raw[start:header_end] + b"\n\n")
    return Entity(fields, headers, header_end, body_start, end)


def leaf_entities(raw: bytes) -> tuple[Entity, list[Entity]]:
    """The top-level entity and every non-multipart entity under it, in document order.

    A multipart without a boundary, or whose boundary never occurs, is left out (nothing in it
    is touched); ``message/rfc822`` parts are leaves (an attached message is not ours to edit).
    """
    top = parse_entity(raw, 0, len(raw))
    leaves: list[Entity] = []
    _collect(raw, top, 0, leaves)
    return top, leaves


def _collect(raw: bytes, entity: Entity, depth: int, leaves: list[Entity]) -> None:
    if depth > MAX_DEPTH:
        raise MimeStructureError(f"MIME parts nested deeper than {MAX_DEPTH} levels")
    if entity.headers.get_content_maintype() != "multipart":
        leaves.append(entity)
        return
    boundary = entity.headers.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        return
    for part_start, part_end in _part_spans(raw, entity, boundary.encode("utf-8", "replace")):
        if len(leaves) >= MAX_PARTS:
            raise MimeStructureError(f"more than {MAX_PARTS} MIME parts")
        _collect(raw, parse_entity(raw, part_start, part_end), depth + 1, leaves)


def _part_spans(raw: bytes, entity: Entity, boundary: bytes) -> Iterator[tuple[int, int]]:
    line = rb"--" + re.escape(boundary) + rb"(?P<close>--)?[ \t]*(?=\r?\n|\Z)"
    delimiter = re.compile(rb"\r?\n" + line)
    part_start: int | None = None
    position = entity.body_start
    # A delimiter at the very start of the body has no line break before it.
    first = re.compile(line).match(raw, position, entity.body_end)
    matches: Iterator[re.Match[bytes]] = delimiter.finditer(raw, position, entity.body_end)
    if first is not None:
        matches = _chain(first, delimiter.finditer(raw, first.end(), entity.body_end))
    for match in matches:
        if part_start is not None:
            yield part_start, max(part_start, match.start())
        if match.group("close"):
            return
        part_start = _after_line_break(raw, match.end())
    if part_start is not None:  # no close delimiter: the last part runs to the end
        yield part_start, entity.body_end


def _chain(first: re.Match[bytes], rest: Iterator[re.Match[bytes]]) -> Iterator[re.Match[bytes]]:
    yield first
    yield from rest


def _after_line_break(raw: bytes, position: int) -> int:
    if raw.startswith(b"\r\n", position):
        return position + 2
    if raw.startswith(b"\n", position):
        return position + 1
    return position
