"""Instruments the plain-text part of an email: http(s) URLs become click-tracking URLs and
unsubscribe placeholders become the unsubscribe URL; every other character is kept. Each URL is
tracked as its WHATWG serialisation (what a browser opens, as in the HTML part), so the same link
written in both parts shares one index.

Indexes: a URL already indexed in the HTML part (`known_indexes`, see
`InstrumentedHtml.index_by_url`) reuses that index, so a click is attributed to the same link
whichever part the reader used; other URLs get new indexes from `start_index` on, one per distinct
URL (a repeated URL in the text reuses its index).
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from emailtrack.common.browser_urls import MAX_LINK_LENGTH, web_url
from services.tracking_edge.domain.merge_tags import UNSUBSCRIBE_PLACEHOLDER, has_template_tag
from services.tracking_edge.domain.rewrite_html import TrackedLink

_TOKEN = re.compile(
    rf"(?P<unsubscribe>{UNSUBSCRIBE_PLACEHOLDER.pattern})"
    r"|<(?P<bracketed>https?://[^\s<>]+)>"  # RFC 3986 appendix C delimited form
    r"|(?<![\w.+-])(?P<bare>https?://[^\s<>\"]+)",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;:!?'\"*_"
_CLOSING_BRACKETS = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True)
class InstrumentedText:
    text: str
    links: list[TrackedLink]
    """The links this call assigned a new index to (reused HTML indexes are not repeated)."""


def instrument_text(
    text: str,
    *,
    click_url: Callable[[str, int], str],
    unsubscribe_url: str,
    start_index: int,
    known_indexes: Mapping[str, int] | None = None,
) -> InstrumentedText:
    indexes = dict(known_indexes or {})
    new_links: list[TrackedLink] = []
    next_index = start_index

    def track(url: str) -> str:
        nonlocal next_index
        index = indexes.get(url)
        if index is None:
            index = indexes[url] = next_index
            next_index += 1
            tracking_url = click_url(url, index)
            new_links.append(TrackedLink(index, url, tracking_url))
            return tracking_url
        return click_url(url, index)

    def replace(match: re.Match[str]) -> str:
        if match.group("unsubscribe") is not None:
            return unsubscribe_url
        bracketed = match.group("bracketed")
        if bracketed is not None:
            url, before, after = bracketed, "<", ">"
        else:
            url, after = _split_trailing(match.group("bare"))
            before = ""
        web = None if has_template_tag(url) or not _has_host(url) else web_url(url)
        if web is None or len(web) > MAX_LINK_LENGTH:
            return match.group(0)
        return f"{before}{track(web)}{after}"

    return InstrumentedText(_TOKEN.sub(replace, text), new_links)


def _split_trailing(candidate: str) -> tuple[str, str]:
    """Drop sentence punctuation and unbalanced closing brackets from the end of a bare URL."""
    end = len(candidate)
    while end:
        last = candidate[end - 1]
        if last in _TRAILING_PUNCTUATION:
            end -= 1
            continue
        opening = _CLOSING_BRACKETS.get(last)
        if opening is not None and candidate.count(opening, 0, end) < candidate.count(last, 0, end):
            end -= 1
            continue
        break
    return candidate[:end], candidate[end:]


def _has_host(url: str) -> bool:
    rest = url.split("://", 1)[1]
    return bool(rest) and rest[0] not in "/?#"
