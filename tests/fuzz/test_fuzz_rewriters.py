"""The HTML and text rewriters on arbitrary markup: no exception, and the pixel is added."""

from __future__ import annotations

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


@settings(max_examples=300, deadline=None)
@given(markup | st.text(max_size=300), st.integers(0, 50))
def test_instrument_text_never_raises(text: str, start: int) -> None:
    result = instrument_text(
        text, click_url=click_url, unsubscribe_url="https://t.example/u/U", start_index=start
    )
    assert all(link.index >= start for link in result.links)
