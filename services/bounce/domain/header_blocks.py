"""Header-only parsing of the text blocks a bounce carries as strings: RFC 3464 per-recipient
blocks, the returned original's headers, ARF report fields. Only their header fields are ever
read: the text after the first blank line is not parsed at all (no MIME walk, no line split).
Values are read unfolded, as the message's own fields are (mime_tree.UNFOLDED)."""

from __future__ import annotations

from email.message import Message
from email.parser import Parser

from services.bounce.domain.mime_tree import UNFOLDED

_PARSER = Parser(policy=UNFOLDED)


def header_block(text: str) -> Message:
    """The header fields at the start of ``text`` as a Message (without the body)."""
    blank_line = text.find("\n\n")
    if blank_line >= 0:  # the header fields end at or before it
        text = text[: blank_line + 1]
    return _PARSER.parsestr(text, headersonly=True)
