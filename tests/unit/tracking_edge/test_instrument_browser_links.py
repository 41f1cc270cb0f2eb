"""instrument_html reads links as browsers do (WHATWG URL clean-up, character references per the
HTML spec, VML hrefs) and never puts the pixel inside raw text, whatever the markup."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from services.tracking_edge.domain.html_scan import decode_attribute
from services.tracking_edge.domain.rewrite_html import InstrumentedHtml, instrument_html, pixel_tag
from tests.unit.tracking_edge.instrumenting import HTML5, browser_links

PIXEL = "https://t.example/o.gif"


def _instrument(source: str) -> InstrumentedHtml:
    return instrument_html(
        source,
        click_url=lambda url, index: f"https://t.example/c/{index}",
        pixel_url=PIXEL,
        unsubscribe_url="https://t.example/u",
        honeypot_url=None,
    )


def _urls(source: str) -> list[str]:
    return [link.original_url for link in _instrument(source).links]


@pytest.mark.parametrize(
    ("href", "opened"),
    [
        ("HTTP://Example.COM/a", "http://example.com/a"),
        ("HTTPS://example.com/?q=1", "https://example.com/?q=1"),
        ("hTtPs://example.com", "https://example.com/"),
        ("https://example.com/?utm_source=news\n  &amp;utm_medium=email", None),
        ("https://example.com/a\r\nb\tc", "https://example.com/abc"),
        ("&#x20;https://example.com/x&#x0C;", "https://example.com/x"),
        ("https://example.com/&#1;x", "https://example.com/%01x"),
        ("https://example.com/&#x9;x&#10;y", "https://example.com/xy"),
        ("https://example.com/&#x80;", "https://example.com/%E2%82%AC"),
        ("https://example.com/&#x81;", "https://example.com/%C2%81"),
        ("https://example.com/&#0;", "https://example.com/%EF%BF%BD"),
        ("https://example.com/&#xD800;", "https://example.com/%EF%BF%BD"),
    ],
)
def test_href_is_the_url_a_browser_opens(href: str, opened: str | None) -> None:
    expected = opened or "https://example.com/?utm_source=news%20%20&utm_medium=email"
    assert _urls(f'<body><a href="{href}">x</a></body>') == [expected]


def test_control_references_are_kept_where_browsers_keep_them() -> None:
    assert decode_attribute("a&#1;b&#x7F;c&#x8D;d") == "a\x01b\x7fc\x8dd"
    assert decode_attribute("&#x0D;&#13") == "\r\r"


def test_links_up_to_8_kb_are_tracked_and_longer_ones_left_alone() -> None:
    long_url = "https://example.com/?q=" + "a" * 8200
    too_long = "https://example.com/?q=" + "b" * 12000
    result = _instrument(f'<a href="{long_url}">x</a><a href="{too_long}">y</a>')
    assert [link.original_url for link in result.links] == [long_url]
    assert too_long in result.html


@pytest.mark.parametrize(
    "tag",
    ["v:image", "v:roundrect", "v:rect", "v:oval", "v:shape", "v:group", "V:RoundRect"],
)
def test_vml_hrefs_in_mso_conditional_comments_are_tracked(tag: str) -> None:
    source = (
        f'<body><!--[if mso]><{tag} xmlns:v="urn:schemas-microsoft-com:vml" '
        f'href="https://example.com/{tag[2:].lower()}" style="width:200px" /><![endif]--></body>'
    )
    result = _instrument(source)
    assert [link.original_url for link in result.links] == [
        f"https://example.com/{tag[2:].lower()}"
    ]
    assert 'href="https://t.example/c/0"' in result.html


class _PixelFinder(HTMLParser):
    """The stdlib parser (which treats script/style as CDATA) as an independent check that
    the pixel is parsed as an element, not as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pixel_tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and ("src", PIXEL) in attrs:
            self.pixel_tags += 1


@pytest.mark.parametrize(
    ("source", "pixel_before"),
    [
        ("<html><head><style>p{color:red}", "<style>"),
        ("<p>hi</p><style>p{}</body>", "<style>"),
        ("<title>Hi", "<title>"),
        ("<p>x<textarea>unfinished", "<textarea>"),
        ("<p>x<script>var a", "<script>"),
        ("<p>x<script><!--<script>a</script>b", "<script>"),
        ("<p>x<script><!--<SCRIPT >a</script >b</body>", "<script>"),
        ("<p>x<xmp>raw", "<xmp>"),
        ("<p>x<iframe>", "<iframe>"),
        ("<p>x<noembed>", "<noembed>"),
        ("<p>x<noframes>", "<noframes>"),
        ("<p>x<noscript><a href='https://example.com'>y</a>", "<noscript>"),
        ("<p>x<noscript></body>", "<noscript>"),
        ("<p>x<noscript><title></noscript><p>y", "<noscript>"),
        ("<p>x<noscript><!--</noscript>--><p>y</body>", "<noscript>"),
        ("<p>x<plaintext>rest", "<plaintext>"),
        ("<p>x<!-- a comment never closed", "<!--"),
        ('<p>x<a href="https://example.com/', '<a href="https://example.com/'),
        ("<p>x<!DOCTYPE", "<!DOCTYPE"),
    ],
)
def test_pixel_never_lands_in_raw_text_or_an_unfinished_construct(
    source: str, pixel_before: str
) -> None:
    output = _instrument(source).html
    assert pixel_tag(PIXEL) + pixel_before in output
    assert output.replace(pixel_tag(PIXEL), "", 1) == source.replace(
        'href="https://example.com/"', 'href="https://t.example/c/0"'
    ).replace("href='https://example.com'", 'href="https://t.example/c/0"')


@pytest.mark.parametrize(
    "source",
    [
        "<body><p>x</p><style>b{}</style></body>",
        "<body><title>t</title><p>x</body><script>1</script>",
        "<body><textarea></body></textarea><p>x</p></body>",
    ],
)
def test_pixel_before_the_last_body_close_outside_raw_text(source: str) -> None:
    parser = _PixelFinder()
    parser.feed(_instrument(source).html)
    assert parser.pixel_tags == 1


CORPUS = Path(__file__).parents[2] / "data" / "html_emails"


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.html")), ids=lambda path: path.name)
def test_real_emails_track_every_link_as_the_browser_url_and_the_pixel_is_an_element(
    path: Path,
) -> None:
    source = path.read_text(encoding="utf-8")
    result = _instrument(source)
    tracked = [link.original_url for link in result.links]
    for url in browser_links(source):
        assert url in tracked
    pixels = [e for e in HTML5.parse(result.html).iter("img") if e.get("src") == PIXEL]
    assert len(pixels) == 1


def test_relative_links_resolve_against_the_documents_base_href() -> None:
    source = (
        '<html><head><base target="_blank"><base href="HTTPS://Shop.example/en/">'
        '<base href="https://ignored.example/"></head><body>'
        '<a href="sale?x=1">a</a><a href="/about">b</a><a href="//cdn.example/c">c</a>'
        '<a href="#top">d</a><a href="">e</a><a href="mailto:a@example.com">f</a>'
        '<a href="{{path}}">g</a><a href="https://other.example/">h</a></body></html>'
    )
    assert _urls(source) == [
        "https://shop.example/en/sale?x=1",
        "https://shop.example/about",
        "https://cdn.example/c",
        "https://other.example/",
    ]


@pytest.mark.parametrize("base", ["/relative/", "mailto:a@example.com", "{{base}}"])
def test_without_a_usable_base_relative_links_stay_untouched(base: str) -> None:
    assert _urls(f'<base href="{base}"><a href="sale">a</a>') == []
