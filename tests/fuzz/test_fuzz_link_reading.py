"""Links as browsers read them, against independent references: html5lib (a WHATWG HTML
parser) decodes the href attribute and ada (a WHATWG URL parser) turns it into the URL the
browser opens; the tracked URL must be exactly that, for generated hrefs full of character
references (numeric ones to control code points too), tabs, newlines and odd letter case."""

from __future__ import annotations

import ada_url
import html5lib
from hypothesis import given, settings
from hypothesis import strategies as st

from services.tracking_edge.domain.merge_tags import has_template_tag, is_unsubscribe_placeholder
from services.tracking_edge.domain.rewrite_html import instrument_html

_PARSER = html5lib.HTMLParser(namespaceHTMLElements=False)
_PIECES = st.sampled_from(
    [
        "a",
        "Z",
        "/",
        "?",
        "=",
        "&",
        "#",
        "%",
        "%2",
        "%41",
        " ",
        "\t",
        "\n",
        "\r",
        "\x0c",
        "&amp;",
        "&amp",
        "&lt;",
        "&copy",
        "&copy=",
        "&notit;",
        "&not",
        "&#65;",
        "&#x41",
        "&#1;",
        "&#x0D;",
        "&#13",
        "&#9;",
        "&#x80;",
        "&#x81;",
        "&#x9F;",
        "&#0;",
        "&#xD800;",
        "&#x110000;",
        "&#128512;",
        "é",
        "\u00a0",
        "\\",
        "'",
        "`",
        "{",
        "|",
        "^",
        "..",
        "./",
    ]
)
_SCHEMES = st.sampled_from(["http://", "https://", "HTTP://", "HTTPS://", "hTtPs://", " https://"])
_HOSTS = st.sampled_from(["example.com", "EXAMPLE.com", "xn--mnchen-3ya.de", "münchen.de", "a.b.c"])


def _browser_url(source: str) -> str | None:
    """The URL a browser opens for the first <a>: html5lib's attribute, then ada."""
    anchor = next(_PARSER.parse(source).iter("a"))
    href = anchor.get("href")
    try:
        url = ada_url.URL(href)
    except ValueError:
        return None
    return url.href if url.protocol in ("http:", "https:") and url.hostname else None


@settings(max_examples=500, deadline=None)
@given(
    _SCHEMES,
    _HOSTS,
    st.lists(_PIECES, max_size=12).map("".join),
    st.sampled_from(['"', "'"]),
)
def test_the_tracked_url_is_the_one_a_browser_opens(
    scheme: str, host: str, tail: str, quote: str
) -> None:
    href = f"{scheme}{host}/{tail}".replace(quote, "")
    source = f"<body><a href={quote}{href}{quote}>x</a></body>"
    decoded = next(_PARSER.parse(source).iter("a")).get("href")
    if has_template_tag(decoded) or is_unsubscribe_placeholder(decoded.strip()):
        return  # merge tags are left alone on purpose (the ESP fills them in later)
    expected = _browser_url(source)
    result = instrument_html(
        source,
        click_url=lambda url, index: f"https://t.example/c/{index}",
        pixel_url=None,
        unsubscribe_url="https://t.example/u",
        honeypot_url=None,
    )
    tracked = [link.original_url for link in result.links]
    assert tracked == ([] if expected is None else [expected])
