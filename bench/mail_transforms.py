"""Meaning-preserving rewrites of a raw message, as mail transport makes them (line endings,
header case and folding, transfer encodings, charsets, added trace fields, mbox framing): the
transforms bench/bounce_invariance.py applies. Each takes and returns raw bytes and leaves the
message as it was when it has nothing to rewrite. The rewrites work on the lines of the message
(bench/mail_layout.py), not on a re-serialised stdlib tree (the generator would itself rewrite
it).
"""

from __future__ import annotations

import base64
import quopri
import re
from collections.abc import Callable

from mail_layout import (
    PLAIN_ENCODINGS,
    REPORT_TYPES,
    Layout,
    Part,
    content,
    field_value,
    join,
    layout,
    newline_of,
    rewrite_lines,
    with_ending,
)

TRACE_FIELD = (
    b"Received: from relay.example.net (relay.example.net [192.0.2.1])\r\n"
    b"\tby mx.example.org with ESMTP id 4XyZ; Mon, 7 Dec 2026 20:00:00 +0000\r\n"
)
FILTER_FIELD = b"X-Spam-Status: No, score=-0.1 required=5.0\r\n"
MBOX_FROM_LINE = b"From MAILER-DAEMON Mon Dec  7 20:00:00 2026\r\n"


def to_lf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n")


def to_crlf(raw: bytes) -> bytes:
    return to_lf(raw).replace(b"\n", b"\r\n")


def trailing_space_in_headers(raw: bytes) -> bytes:
    return rewrite_lines(raw, {"field", "continuation"}, lambda text: text + b" \t")


def _name_case(case: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def transform(raw: bytes) -> bytes:
        def edit(text: bytes) -> bytes:
            name, colon, rest = text.partition(b":")
            return case(name) + colon + rest

        return rewrite_lines(raw, {"field"}, edit)

    return transform


field_names_lower = _name_case(bytes.lower)
field_names_upper = _name_case(bytes.upper)


def _refold(width: int | None, in_dsn: bool) -> Callable[[bytes], bytes]:
    """Every field of the chosen blocks (delivery-status groups, or the others) unfolded and,
    when ``width`` is given, folded again before white space once a line reaches it."""

    def transform(raw: bytes) -> bytes:
        shape = layout(raw)
        starts = {at for part in shape.parts if part.in_dsn == in_dsn for at in part.fields}
        out: list[bytes] = []
        at = 0
        while at < len(shape.lines):
            end = at + 1
            if at in starts:
                while end < len(shape.lines) and shape.role[end] == "continuation":
                    end += 1
                pieces = [content(shape.lines[at])]
                pieces += [content(line).lstrip() for line in shape.lines[at + 1 : end]]
                text = _fold(b" ".join(pieces), width, newline_of(raw))
                out.append(with_ending(text, shape.lines[end - 1]))
            else:
                out.append(shape.lines[at])
            at = end
        return join(out)

    return transform


def _fold(text: bytes, width: int | None, newline: bytes) -> bytes:
    """``text`` (one unfolded field) folded before the white space that follows a line
    reaching ``width`` characters (as it is, when None)."""
    if width is None:
        return text
    words = re.split(rb"([ \t]+)", text)
    folded, line = b"", words[0]
    for index in range(2, len(words), 2):
        if len(line) >= width and words[index]:
            folded += line + newline
            line = words[index - 1] + words[index]
        else:
            line += words[index - 1] + words[index]
    return folded + line


unfold_headers = _refold(None, in_dsn=False)
fold_headers = _refold(30, in_dsn=False)
unfold_dsn = _refold(None, in_dsn=True)
fold_dsn = _refold(24, in_dsn=True)


def dsn_blank_lines(raw: bytes) -> bytes:
    """Each blank line between delivery-status groups doubled (lenient readers' input)."""
    shape = layout(raw)
    return join(
        line * 2 if role == "dsn-blank" else line
        for line, role in zip(shape.lines, shape.role, strict=True)
    )


def _text_leaves(shape: Layout) -> list[Part]:
    return [
        part
        for part in shape.parts
        if part.body
        and part.mime
        and part.content_type.startswith(b"text/")
        and part.content_type != b"text/rfc822-headers"
        and part.encoding in PLAIN_ENCODINGS
    ]


def _reencode(encode: Callable[[bytes, bytes], bytes], name: bytes) -> Callable[[bytes], bytes]:
    """Each text part sent as it is (7bit/8bit) re-sent in the transfer encoding ``name``:
    its body encoded, a Content-Transfer-Encoding field set (replacing any)."""

    def transform(raw: bytes) -> bytes:
        shape = layout(raw)
        newline = newline_of(raw)
        lines: list[bytes | None] = list(shape.lines)
        for part in _text_leaves(shape):
            body = join([shape.lines[at] for at in part.body])
            last = part.body[-1]
            ending = shape.lines[last][len(content(shape.lines[last])) :]
            encoded = encode(body[: len(body) - len(ending)], newline)
            for at in part.body:
                lines[at] = None
            lines[part.body[0]] = encoded + ending
            for at in part.fields:
                if content(shape.lines[at]).lower().startswith(b"content-transfer-encoding"):
                    lines[at] = None
            header_end = part.body[0] - 1
            cte = b"Content-Transfer-Encoding: " + name + newline
            lines[header_end] = cte + shape.lines[header_end]
        return join([line for line in lines if line is not None])

    return transform


def _base64(body: bytes, newline: bytes) -> bytes:
    canonical = to_crlf(body)
    encoded = base64.encodebytes(canonical).rstrip(b"\n")
    return encoded.replace(b"\n", newline)


def _quoted_printable(body: bytes, newline: bytes) -> bytes:
    return quopri.encodestring(to_lf(body)).replace(b"\n", newline)


as_base64 = _reencode(_base64, b"base64")
as_quoted_printable = _reencode(_quoted_printable, b"quoted-printable")


_CHARSET_RE = re.compile(rb'charset\s*=\s*"?(utf-8|iso-8859-1|us-ascii)"?', re.IGNORECASE)


def latin1_utf8_swap(raw: bytes) -> bytes:
    """Each 7bit/8bit text part declared utf-8 (or iso-8859-1) whose text is Latin-1
    re-encoded in the other charset, its declaration changed to match."""
    shape = layout(raw)
    lines = list(shape.lines)
    for part in _text_leaves(shape):
        declared = [at for at in part.fields if _CHARSET_RE.search(shape.lines[at])]
        if not declared:
            continue
        match = _CHARSET_RE.search(shape.lines[declared[0]])
        assert match is not None
        source = match.group(1).lower().decode()
        target = {"utf-8": "iso-8859-1", "iso-8859-1": "utf-8"}.get(source)
        body = join([shape.lines[at] for at in part.body])
        try:
            text = body.decode(source)
            text.encode(target or "")
        except (UnicodeError, LookupError):
            continue
        if target is None or text.isascii():
            continue
        for at in part.body:
            lines[at] = shape.lines[at].decode(source).encode(target)
        lines[declared[0]] = _CHARSET_RE.sub(
            b"charset=" + target.encode(), shape.lines[declared[0]], count=1
        )
    return join(lines)


def _retype(old: bytes, new: bytes, drop_body: bool) -> Callable[[bytes], bytes]:
    """Each returned message (a part of type ``old`` after a report part: before one, as
    some MTAs attach the whole report as message/rfc822, it is no returned original) declared
    ``new`` instead, without its body when ``drop_body`` (cut to its header block)."""
    type_re = re.compile(rb"(content-type[ \t]*:[ \t]*)" + re.escape(old), re.IGNORECASE)

    def transform(raw: bytes) -> bytes:
        shape = layout(raw)
        lines: list[bytes | None] = list(shape.lines)
        reported = False
        for part in shape.parts:
            reported = reported or part.content_type in REPORT_TYPES
            if part.content_type != old or not reported:
                continue
            for at in part.fields:
                lines[at] = type_re.sub(rb"\g<1>" + new, shape.lines[at], count=1)
            if drop_body and part.fields:
                for at in _returned_body(shape, part.fields[0]):
                    lines[at] = None
        return join([line for line in lines if line is not None])

    return transform


def _returned_body(shape: Layout, first_field: int) -> range:
    """The lines after the returned message's header block (the part's fields start at
    ``first_field``) up to the boundary line that closes the part."""
    opening = max((at for at in range(first_field) if shape.role[at] == "boundary"), default=-1)
    if opening < 0:
        return range(0)
    delimiter = content(shape.lines[opening]).rstrip()
    closing = first_field
    while closing < len(shape.lines) and not shape.lines[closing].startswith(delimiter):
        closing += 1
    blanks = [at for at in range(first_field, closing) if shape.role[at] == "blank"]
    return range(blanks[1] + 1, closing) if len(blanks) > 1 else range(0)


headers_as_message = _retype(b"text/rfc822-headers", b"message/rfc822", drop_body=False)
message_as_headers = _retype(b"message/rfc822", b"text/rfc822-headers", drop_body=True)


def _prepend(line: bytes) -> Callable[[bytes], bytes]:
    def transform(raw: bytes) -> bytes:
        newline = newline_of(raw)
        return line.replace(b"\r\n", newline) + raw

    return transform


with_trace_field = _prepend(TRACE_FIELD)
with_filter_field = _prepend(FILTER_FIELD)
with_mbox_from_line = _prepend(MBOX_FROM_LINE)


def with_null_return_path(raw: bytes) -> bytes:
    """A Return-Path: <> added by final delivery (a delivery report's envelope sender is
    null, RFC 5321 4.5.5), unless one is there; only for reports (the runner decides)."""
    if re.search(rb"(?im)^return-path[ \t]*:", raw.split(b"\n\n")[0].split(b"\r\n\r\n")[0]):
        return raw
    return _prepend(b"Return-Path: <>\r\n")(raw)


def mbox_from_quoting(raw: bytes) -> bytes:
    """Body lines starting "From " quoted as ">From " (mbox storage)."""
    shape = layout(raw)
    return join(
        b">" + line if role == "body" and line.startswith(b"From ") and at else line
        for at, (line, role) in enumerate(zip(shape.lines, shape.role, strict=True))
    )


def domains_upper(domains: set[str]) -> Callable[[bytes], bytes]:
    """Every "@domain" of the given (recipient) domains written in upper case."""

    def transform(raw: bytes) -> bytes:
        for domain in sorted(domains, key=len, reverse=True):
            pattern = re.compile(rb"@" + re.escape(domain.encode()) + rb"\b", re.IGNORECASE)
            raw = pattern.sub(b"@" + domain.upper().encode(), raw)
        return raw

    return transform


def subject_encoded_word(raw: bytes) -> bytes:
    """The message's own Subject (unfolded) sent as one RFC 2047 encoded word (UTF-8, base64),
    as some MTAs and gateways write every subject."""
    shape = layout(raw)
    top = shape.parts[0].fields if shape.parts else []
    subject = next((at for at in top if shape.lines[at][:8].lower() == b"subject:"), None)
    if subject is None:
        return raw
    value = field_value(shape.lines, subject)
    if not value or b"=?" in value or not value.isascii():
        return raw
    word = b"=?UTF-8?B?" + base64.b64encode(value) + b"?="
    lines: list[bytes | None] = list(shape.lines)
    lines[subject] = with_ending(b"Subject: " + word, shape.lines[subject])
    at = subject + 1
    while at < len(lines) and shape.role[at] == "continuation":
        lines[at] = None
        at += 1
    return join([line for line in lines if line is not None])


TRANSFORMS: dict[str, Callable[[bytes], bytes]] = {
    "lf": to_lf,
    "crlf": to_crlf,
    "trailing-space-headers": trailing_space_in_headers,
    "field-names-lower": field_names_lower,
    "field-names-upper": field_names_upper,
    "unfold-headers": unfold_headers,
    "fold-headers": fold_headers,
    "unfold-dsn": unfold_dsn,
    "fold-dsn": fold_dsn,
    "dsn-blank-lines": dsn_blank_lines,
    "quoted-printable": as_quoted_printable,
    "base64": as_base64,
    "latin1-utf8": latin1_utf8_swap,
    "rfc822-headers-as-message": headers_as_message,
    "message-as-rfc822-headers": message_as_headers,
    "subject-encoded-word": subject_encoded_word,
    "received-field": with_trace_field,
    "x-field": with_filter_field,
    "mbox-from-line": with_mbox_from_line,
    "mbox-from-quoting": mbox_from_quoting,
}
