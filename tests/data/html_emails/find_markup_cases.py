"""Finds real emails carrying the awkward markup cases the link rewriter must handle, to add them
to this corpus: a document that ends inside an unclosed raw-text element (the pixel must not be
appended as its text), a tab in an <a>/<area> href, an all-caps ``HTTP://``/``HTTPS://`` scheme,
a mixed-case one, and a CR or LF in an href. HTML is read as browsers read it (html5lib).

Usage: ``.venv/bin/python tests/data/html_emails/find_markup_cases.py SOURCE...``, where a
source is a directory, a tar archive (``.tar.gz``, ``.tgz``, ``.tar.xz``, ``.tar.bz2``: an sdist,
an ``npm pack`` tarball, a Debian orig tarball) or a Debian binary package (``.deb``), read
without unpacking. In each, ``*.htm(l)`` files are read as HTML documents; any other file holding
a ``Content-Type`` header is read as an RFC 5322 message (an mbox when it starts with ``From ``)
and each ``text/html`` part is decoded (transfer encoding, then its charset). Prints one line per
hit, then for each source its sha256 (archives) and counts, then the total counts (files,
messages, HTML documents, hits per case) that the corpus README cites."""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
import mailbox
import os
import re
import sys
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterator
from email.message import Message

import html5lib

PARSER = html5lib.HTMLParser(namespaceHTMLElements=False)
RAW_TEXT = ("style", "script", "title", "textarea", "xmp", "iframe", "noembed", "noframes")
SENTINEL = "emailtrack-end-sentinel"
_SCHEME = re.compile(r"[\x00-\x20]*([A-Za-z][A-Za-z0-9+.\-]*):")
_HEAD_BYTES = 20_000


def source_files(source: str) -> Iterator[tuple[str, bytes]]:
    """(path, content) of each regular file in a directory, tar archive or Debian package."""
    if os.path.isdir(source):
        for directory, _, names in os.walk(source):
            for name in sorted(names):
                path = os.path.join(directory, name)
                if os.path.isfile(path):  # not a dangling link in a source tree
                    with open(path, "rb") as file:
                        yield path, file.read()
        return
    with open(source, "rb") as file:
        data = file.read()
    archive = _deb_data_tar(data) if source.endswith(".deb") else data
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar:
            content = tar.extractfile(member) if member.isfile() else None
            if content is not None:
                yield f"{source}:{member.name}", content.read()


def _deb_data_tar(deb: bytes) -> bytes:
    """The data.tar.* member of a Debian binary package (an ar archive)."""
    if not deb.startswith(b"!<arch>\n"):
        raise ValueError("not a Debian package (ar archive)")
    offset = 8
    while offset + 60 <= len(deb):
        name = deb[offset : offset + 16].strip().rstrip(b"/")
        size = int(deb[offset + 48 : offset + 58])
        if name.startswith(b"data.tar"):
            return deb[offset + 60 : offset + 60 + size]
        offset += 60 + size + size % 2  # members are padded to an even offset
    raise ValueError("Debian package without data.tar")


def html_documents(path: str, data: bytes, counts: Counter[str]) -> Iterator[tuple[str, str]]:
    """(label, HTML text) of each HTML document in the file."""
    if path.lower().endswith((".html", ".htm")):
        yield "file", data.decode("utf-8", "replace")
        return
    if b"content-type" not in data[:_HEAD_BYTES].lower():
        return
    try:
        messages: list[Message] = (
            _mbox_messages(data)
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


def _mbox_messages(data: bytes) -> list[Message]:
    """The messages of an mbox, split as the standard library splits a file."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "mbox")
        with open(path, "wb") as file:
            file.write(data)
        return list(mailbox.mbox(path))


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


def hits(source: str, counts: Counter[str]) -> Iterator[tuple[str, str, str, str]]:
    """(case, path, label, evidence) of each hit in the source; adds its files, messages,
    HTML documents and hits to the counts."""
    for path, data in source_files(source):
        counts["files"] += 1
        for label, html in html_documents(path, data, counts):
            counts["html documents"] += 1
            for case, evidence in cases(html):
                counts[case] += 1
                yield case, path, label, evidence


def _summary(counts: Counter[str]) -> str:
    return ", ".join(f"{key}: {value}" for key, value in counts.items())


def main(sources: list[str]) -> int:
    total: Counter[str] = Counter()
    summaries = []
    for source in sources:
        counts: Counter[str] = Counter({"files": 0, "messages": 0, "html documents": 0})
        for hit in hits(source, counts):
            print("\t".join(hit))
        total.update(counts)
        if os.path.isfile(source):
            with open(source, "rb") as file:
                summaries.append(f"{source}\tsha256 {hashlib.sha256(file.read()).hexdigest()}")
        summaries.append(f"{source}\t{_summary(counts)}")
    print("\n".join(summaries))
    print(f"total\t{_summary(total)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
