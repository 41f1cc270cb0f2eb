"""The HTML and text rewriters on arbitrary markup: no exception, the pixel is added, and a
WHATWG parser (html5lib, scripting on and off) sees it as an element, never as raw text."""

from __future__ import annotations

import html5lib
from hypothesis import given, settings
from hypothesis import strategies as st

from services.tracking_edge.domain.rewrite_html import instrument_html
from services.tracking_edge.domain.rewrite_text import instrument_text

PIXEL = "https://t.example/o/PIXEL.gif"
FRAGMENTS = st.sampled_from(
    [
        "<a href=",
        '"',
        "'",
        "https://example.com/x?a=1&b=2",
        "mailto:a@b",
        "<body>",
        "</body>",
        "<html>",
        "</html>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<a href='http://x'>",
        "</a>",
        "<img src=",
        " data-x=",
        ">",
        "<",
        "&amp;",
        "&#x",
        "{{unsubscribe}}",
        "%%",
        "\x00",
        "<head>",
        "</head>",
        "<!doctype html>",
        "<style>",
        "</style>",
        "<script>",
        "unsubscribe",
    ]
)
RAW_TEXT_FRAGMENTS = st.sampled_from(
    [
        *(f"<{tag}>" for tag in ("title", "textarea", "xmp", "iframe", "noembed", "noframes")),
        *(f"</{tag}>" for tag in ("title", "textarea", "xmp", "iframe", "noembed", "noframes")),
        "<noscript>",
        "</noscript>",
        "<plaintext>",
        "<!--[if mso]>",
        "<![endif]-->",
        "<v:roundrect href='https://example.com/b'>",
        "</STYLE >",
        "<Title/>",
        "</script x>",
    ]
)
markup_with_raw_text = st.lists(
    FRAGMENTS | RAW_TEXT_FRAGMENTS | st.text(max_size=8), max_size=40
).map("".join)
_PARSER = html5lib.HTMLParser(namespaceHTMLElements=False)
markup = st.lists(FRAGMENTS | st.text(max_size=15), max_size=40).map("".join)


def click_url(url: str, index: int) -> str:
    return f"https://t.example/c/{index}"


@settings(max_examples=300, deadline=None)
@given(markup)
def test_instrument_html_never_raises(html: str) -> None:
    result = instrument_html(
        html,
        click_url=click_url,
        pixel_url=PIXEL,
        unsubscribe_url="https://t.example/u/U",
        honeypot_url="https://t.example/c/H",
    )
    assert PIXEL in result.html


@settings(max_examples=400, deadline=None)
@given(markup_with_raw_text)
def test_the_pixel_is_an_element_for_a_browser_whatever_the_markup(html: str) -> None:
    output = instrument_html(
        html,
        click_url=click_url,
        pixel_url=PIXEL,
        unsubscribe_url="https://t.example/u/U",
        honeypot_url=None,
    ).html
    for scripting in (False, True):
        tree = _PARSER.parse(output, scripting=scripting)
        pixels = [e for e in tree.iter("img") if e.get("src") == PIXEL]
        assert len(pixels) == 1, (scripting, output)


@settings(max_examples=300, deadline=None)
@given(markup | st.text(max_size=300), st.integers(0, 50))
def test_instrument_text_never_raises(text: str, start: int) -> None:
    result = instrument_text(
        text, click_url=click_url, unsubscribe_url="https://t.example/u/U", start_index=start
    )
    assert all(link.index >= start for link in result.links)
