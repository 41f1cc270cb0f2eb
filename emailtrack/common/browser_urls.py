"""URLs as browsers read them: the WHATWG URL Standard's input clean-up and its serialisation.

The tracking edge stores, and the gateway redirects to, the URL a browser would open for an
`href`: leading and trailing C0 controls and spaces stripped, ASCII tab and newline removed
anywhere, then parsed and serialised by ada (a WHATWG-conformant parser: lower-case scheme and
host, IDNA, percent-encoding). Only http(s) URLs are web links; anything else is left alone.
"""

from __future__ import annotations

import re

import ada_url

MAX_LINK_LENGTH = 10_000
"""Longest link (characters, after serialisation) the tracking edge turns into a click token;
longer ones stay untracked, so their token can never outgrow what the gateway accepts."""

_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_WEB_SCHEMES = frozenset({"http:", "https:"})
# Already what ada would write for a web URL: a lower-case http(s) scheme and host-bearing
# authority, printable ASCII without the characters the parser would percent-encode or change.
_SERIALISED_WEB_URL = re.compile(r"https?://[a-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!#-;=?-~]*)?")


def preprocess(raw: str) -> str:
    """The URL parser's input clean-up: strip C0 controls and spaces at both ends, then remove
    every ASCII tab, LF and CR."""
    stripped = raw.strip(_C0_AND_SPACE)
    if "\t" in stripped or "\n" in stripped or "\r" in stripped:
        return _TAB_OR_NEWLINE.sub("", stripped)
    return stripped


def web_url(raw: str) -> str | None:
    """The serialised URL a browser opens for ``raw`` when it is an absolute http(s) URL with a
    host, else None (relative, other schemes, or invalid: the browser would not open it)."""
    cleaned = preprocess(raw)
    if not cleaned[:5].lower().startswith(("http:", "https")):
        return None
    try:
        parsed = ada_url.URL(cleaned)
    except ValueError:
        return None
    if parsed.protocol not in _WEB_SCHEMES or not parsed.hostname:
        return None
    return parsed.href


def redirect_location(link_url: str) -> str | None:
    """The Location header value for a token's destination: the URL itself when it is already
    serialised (every v2 token), else its WHATWG serialisation (v1 tokens in mail already sent
    may hold upper-case schemes, tabs or newlines); None when it is not a web URL."""
    if _SERIALISED_WEB_URL.fullmatch(link_url):
        return link_url
    return web_url(link_url)
