"""Header-only parsing of the text blocks a bounce carries as strings: RFC 3464 per-recipient
blocks, the returned original's headers, ARF report fields. Only their header fields are ever
read, so the body after the first blank line is kept as one unparsed payload (no MIME walk)."""

from __future__ import annotations

import email.policy
from email.message import Message
from email.parser import Parser

_PARSER = Parser(policy=email.policy.compat32)


def header_block(text: str) -> Message:
    """The header fields at the start of ``text`` as a Message."""
    return _PARSER.parsestr(text, headersonly=True)
