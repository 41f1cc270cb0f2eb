"""Finds real emails carrying the awkward markup cases the link rewriter must handle, to add them
to this corpus: a document that ends inside an unclosed raw-text element (the pixel must not be
appended as its text), a tab in an <a>/<area> href, an all-caps ``HTTP://``/``HTTPS://`` scheme,
a mixed-case one, and a CR or LF in an href. HTML is read as browsers read it (html5lib).

Usage: ``.venv/bin/python tests/data/html_emails/find_markup_cases.py DIR...``: ``*.htm(l)``
files are read as HTML documents; any other file holding a ``Content-Type`` header is read as
an RFC 5322 message (an mbox when it starts with ``From ``) and each ``text/html`` part is
decoded (transfer encoding, then its charset). Prints one line per hit, then the counts (files,
messages, HTML documents, hits per case) that the corpus README cites."""

from __future__ import annotations

import email
import email.policy
import mailbox
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from email.message import Message

import html5lib

PARSER = html5lib.HTMLParser(namespaceHTMLElements=False)
RAW_TEXT = ("style", "script", "title", "textarea", "xmp", "iframe", "noembed", "noframes")
SENTINEL = "emailtrack-end-sentinel"
_SCHEME = re.compile(r"[\x00-\x20]*([A-Za-z][A-Za-z0-9+.\-]*):")
_HEAD_BYTES = 20_000


def html_documents(path: str, counts: Counter[str]) -> Iterator[tuple[str, str]]:
    """(label, HTML text) of each HTML document in the file."""
    with open(path, "rb") as file:
        data = file.read()
    if path.lower().endswith((".html", ".htm")):
        yield "file", data.decode("utf-8", "replace")
        return
    if b"content-type" not in data[:_HEAD_BYTES].lower():
        return
    try:
        messages: list[Message] = (
            list(mailbox.mbox(path))
            if data.startswith(b"From ")
            else [email.message_from_bytes(data, policy=email.policy.compat32)]
        )
    except Exception:  # a file that is no message is skipped
        return
    counts["messages"] += len(messages)
    for number, message in enumerate(messages):
        for index, part in enumerate(message.walk()):
            payload = (
                part.get_payload(decode=True) if part.get_content_type() == "text/html" else b""
            )
            if isinstance(payload, bytes) and payload:
                charset = part.get_content_charset() or "us-ascii"
                try:
                    text = payload.decode(charset)
                except (LookupError, UnicodeDecodeError):
                    text = payload.decode("latin-1")
                yield f"message {number} part {index}", text


def cases(html: str) -> Iterator[tuple[str, str]]:
    """(case, evidence) for each awkward form in the document."""
    tree = PARSER.parse(html + f'<b id="{SENTINEL}"></b>')
    ends_in_raw_text = not any(e.get("id") == SENTINEL for e in tree.iter("b"))
    for element in tree.iter():
        if ends_in_raw_text and element.tag in RAW_TEXT and SENTINEL in (element.text or ""):
            yield f"ends-inside-{element.tag}", repr((element.text or "")[:60])
        href = element.get("href") if element.tag in ("a", "area") else None
        if href is None:
            continue
        for character, case in (("\t", "tab-in-href"), ("\n", "cr-or-lf-in-href")):
            if character in href:  # html5lib reads a CR or CRLF as LF, as browsers do
                yield case, repr(href[:100])
        scheme = _SCHEME.match(href)
        if scheme and scheme.group(1).lower() in ("http", "https"):
            if scheme.group(1).isupper():
                yield "all-caps-scheme", repr(href[:100])
            elif not scheme.group(1).islower():
                yield "mixed-case-scheme", repr(href[:100])


def main(roots: list[str]) -> int:
    counts: Counter[str] = Counter()
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in sorted(names):
                path = os.path.join(directory, name)
                if not os.path.isfile(path):  # a dangling link in a source tree
                    continue
                counts["files"] += 1
                for label, html in html_documents(path, counts):
                    counts["html documents"] += 1
                    for case, evidence in cases(html):
                        counts[case] += 1
                        print(f"{case}\t{path}\t{label}\t{evidence}")
    print(", ".join(f"{key}: {value}" for key, value in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
