"""Instruments the HTML part of an email: click-tracking links, unsubscribe link, open pixel and
honeypot link, changing nothing else (the output is the input spliced, never re-serialised).

Rules, in order, for each `href` of `<a>`, `<area>` and the VML shapes Outlook renders from
conditional comments (`<v:roundrect>` buttons, `<v:image>`...; see `html_scan` for what is scanned),
the value read as a browser reads it (character references decoded, then the WHATWG URL clean-up):
1. marked `data-unsubscribe`, or the whole href is an unsubscribe placeholder
   (`{{unsubscribe_url}}`, `*|UNSUB|*`, `%unsubscribe_url%`, `[unsubscribe]`...) -> unsubscribe_url;
2. opted out with `data-notrack`, `data-no-track`, `notrack` or `clicktracking=off` -> untouched;
3. an http(s) URL (any letter case) without merge tags and at most `MAX_LINK_LENGTH` long ->
   `click_url(url, index)` with `url` the WHATWG serialisation a browser opens, index counting
   from 0 in document order (every occurrence gets its own index: clicks are attributed to a
   position);
   A relative href counts when the document has a `<base href>` naming an http(s) URL: it is
   tracked as the URL it resolves to, as browsers resolve it (a bare `#fragment` is not);
4. anything else (mailto:, tel:, sms:, #anchor, javascript:, relative, templated, invalid)
   -> untouched.

The pixel goes before the last `</body>`; without one, at the end, or before the construct the
input ends inside (an unclosed `<style>`, `<title>`, comment...), never into raw text.

A replaced value is always written double-quoted and HTML-escaped, whatever quoting the input used
(an unquoted attribute cannot safely hold an arbitrary URL).
"""

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import ada_url

from emailtrack.common.browser_urls import MAX_LINK_LENGTH, preprocess, web_url
from services.tracking_edge.domain.html_scan import LinkTag, ScanResult, scan_html
from services.tracking_edge.domain.merge_tags import has_template_tag, is_unsubscribe_placeholder

_NO_TRACK_ATTRIBUTES = ("data-notrack", "data-no-track", "notrack")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


class TrackedLink(NamedTuple):
    """A rewritten link: its position among rewritten links, decoded URL and tracking URL."""

    index: int  # type: ignore[assignment]  # the field shadows tuple.index on purpose
    original_url: str
    tracking_url: str


@dataclass(frozen=True)
class InstrumentedHtml:
    html: str
    links: list[TrackedLink]

    def index_by_url(self) -> dict[str, int]:
        """First index of each original URL, for `instrument_text(known_indexes=...)`."""
        indexes: dict[str, int] = {}
        for link in self.links:
            indexes.setdefault(link.original_url, link.index)
        return indexes


def quote_attribute(value: str) -> str:
    """A double-quoted, escaped attribute value token."""
    return f'"{html_lib.escape(value, quote=True)}"'


def pixel_tag(pixel_url: str) -> str:
    """The open pixel.

    Not `display:none`: some clients and webmail image proxies skip fetching hidden images, which
    would lose opens. A 1x1 block with zero border/margin is invisible in practice; `alt=""` keeps
    it silent for screen readers and when images are blocked; `display:block` avoids the inline
    baseline gap Outlook and Gmail add under inline images.
    """
    return (
        f'<img src={quote_attribute(pixel_url)} width="1" height="1" alt="" border="0" '
        'style="display:block;width:1px;height:1px;border:0;margin:0;padding:0;" />'
    )


def honeypot_tag(honeypot_url: str) -> str:
    """An empty link hidden from every client (`mso-hide:all` for Outlook), skipped by keyboard
    focus and screen readers: only link-following bots (security scanners) ever request it."""
    return (
        f'<a href={quote_attribute(honeypot_url)} aria-hidden="true" tabindex="-1" '
        'style="display:none!important;mso-hide:all;visibility:hidden;opacity:0;'
        'font-size:0;line-height:0;max-height:0;max-width:0;overflow:hidden;"></a>'
    )


def instrument_html(
    html: str,
    *,
    click_url: Callable[[str, int], str],
    pixel_url: str | None,
    unsubscribe_url: str,
    honeypot_url: str | None,
) -> InstrumentedHtml:
    """Rewrite links and insert the pixel (before the last `</body>`, else at the end) and the
    honeypot (after `<body ...>`, else after `</head>` or the doctype, else at the start)."""
    scan = scan_html(html)
    base_url = _document_base(scan)
    edits: list[tuple[int, int, str]] = []
    links: list[TrackedLink] = []
    for link in scan.links:
        href = preprocess(link.href)
        if _is_unsubscribe(link, href):
            edits.append((link.value_start, link.value_end, quote_attribute(unsubscribe_url)))
            continue
        url = _trackable_url(link, href, base_url)
        if url is not None:
            tracking_url = click_url(url, len(links))
            links.append(TrackedLink(len(links), url, tracking_url))
            edits.append((link.value_start, link.value_end, quote_attribute(tracking_url)))
    if honeypot_url is not None:
        position = _honeypot_position(scan)
        edits.append((position, position, honeypot_tag(honeypot_url)))
    if pixel_url is not None:
        position = _pixel_position(html, scan)
        edits.append((position, position, pixel_tag(pixel_url)))
    # Stable sort: at one position the honeypot (appended first) precedes the pixel.
    edits.sort(key=lambda edit: edit[0])
    return InstrumentedHtml(_splice(html, edits), links)


def _is_unsubscribe(link: LinkTag, url: str) -> bool:
    return "data-unsubscribe" in link.attributes or is_unsubscribe_placeholder(url)


def _document_base(scan: ScanResult) -> str | None:
    """The document's base URL when a `<base href>` names an absolute http(s) URL."""
    return None if scan.base_href is None else web_url(scan.base_href)


def _trackable_url(link: LinkTag, href: str, base_url: str | None) -> str | None:
    """The URL to track for a link's cleaned-up href, or None when it stays untouched.
    A relative href is resolved against the document's `<base href>` as browsers do (but a
    bare `#fragment` stays: it names a place in the message itself)."""
    attributes = link.attributes
    if any(name in attributes for name in _NO_TRACK_ATTRIBUTES):
        return None
    if attributes.get("clicktracking", "").strip().lower() == "off":
        return None
    if has_template_tag(link.href):  # as written: a tag split by a newline is no tag
        return None
    url = web_url(href)
    if url is None and base_url is not None and _is_relative(href):
        url = web_url(ada_url.join_url(base_url, href))
    return url if url is not None and len(url) <= MAX_LINK_LENGTH else None


def _is_relative(href: str) -> bool:
    """A reference without a scheme of its own, other than a bare `#fragment`."""
    return bool(href) and not href.startswith("#") and _SCHEME.match(href) is None


def _pixel_position(html: str, scan: ScanResult) -> int:
    if scan.last_body_close_start is not None:
        return scan.last_body_close_start
    for position in (scan.readings_part_at, scan.unfinished_start):
        if position is not None:
            return position
    return len(html)


def _honeypot_position(scan: ScanResult) -> int:
    for position in (scan.body_open_end, scan.head_close_end, scan.doctype_end):
        if position is not None:
            return position
    return 0


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    pieces: list[str] = []
    cursor = 0
    for start, end, replacement in edits:
        pieces.append(text[cursor:start])
        pieces.append(replacement)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
