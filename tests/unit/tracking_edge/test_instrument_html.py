"""instrument_html: every rule on small documents, byte identity on the real-world corpus and on
generated HTML-ish text."""

import html as html_lib
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import ada_url
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.tracking_edge.domain.html_scan import decode_attribute
from services.tracking_edge.domain.merge_tags import has_template_tag
from services.tracking_edge.domain.rewrite_html import (
    honeypot_tag,
    instrument_html,
    pixel_tag,
)
from tests.unit.tracking_edge.instrumenting import (
    HONEYPOT,
    PIXEL,
    UNSUB,
    assert_only_links_changed,
    instrument,
)

CORPUS = Path(__file__).parents[2] / "data" / "html_emails"
_VML_HREF = re.compile(r'<v:(?:roundrect|rect)\b[^>]*?\shref="(https?://[^"]+)"', re.IGNORECASE)


class _Anchors(HTMLParser):
    """Independent view (stdlib parser; skips all comments) of <a>/<area> hrefs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        first: dict[str, str | None] = {}
        for name, value in attrs:
            first.setdefault(name, value)
        if tag in ("a", "area") and first.get("href"):
            self.found.append((str(first["href"]).strip(), first))


def _anchors(document: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Anchors()
    parser.feed(document)
    parser.close()
    return parser.found


def _should_track(href: str, attrs: dict[str, str | None]) -> bool:
    opted_out = {"data-notrack", "data-no-track", "notrack", "data-unsubscribe"} & attrs.keys()
    return (
        re.match(r"https?://[^/?#\s]", href, re.IGNORECASE) is not None
        and not has_template_tag(href)
        and not opted_out
        and (attrs.get("clicktracking") or "").lower() != "off"
    )


def _opened(href: str) -> str | None:
    """The URL a browser opens for an absolute href (WHATWG serialisation by ada), None when
    it is not a valid URL (e.g. control characters in the host)."""
    try:
        return ada_url.URL(href).href
    except ValueError:
        return None


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.html")), ids=lambda path: path.name)
def test_corpus_changes_only_links_and_rewrites_every_trackable_link(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    result = instrument(source)

    assert_only_links_changed(source, result)
    hrefs = [href for href, attrs in _anchors(source) if _should_track(href, attrs)]
    hrefs += [html_lib.unescape(url) for url in _VML_HREF.findall(source)]
    expected = Counter(url for url in map(_opened, hrefs) if url is not None)
    assert Counter(link.original_url for link in result.links) == expected
    for href, attrs in _anchors(result.html):
        if re.match("https?://", href, re.IGNORECASE) and not href.startswith("https://t.example/"):
            assert not _should_track(href, attrs) or _opened(href) is None, href


def test_corpus_covers_outlook_vml_and_entities() -> None:
    corpus = "".join(path.read_text(encoding="utf-8") for path in CORPUS.glob("*.html"))
    assert len(list(CORPUS.glob("*.html"))) >= 10
    assert "<!--[if mso" in corpus and "<v:roundrect" in corpus and "<META" in corpus
    assert re.search(r"&amp;|&nbsp;|&copy;", corpus)


@pytest.mark.parametrize(
    ("tag", "url"),
    [
        ("<A HREF=http://example.com/a>", "http://example.com/a"),
        ("<a href='https://example.com/b'>", "https://example.com/b"),
        ('<a\nhref = "https://example.com/c" >', "https://example.com/c"),
        ('<a href="https://example.com/?x=1&amp;y=2">', "https://example.com/?x=1&y=2"),
        ('<a href="https://example.com/?x=1&copy=2">', "https://example.com/?x=1&copy=2"),
        ('<a href="https://example.com/&#x41;&lt;">', "https://example.com/A%3C"),
        ('<a href="  https://example.com/d\n">', "https://example.com/d"),
        ('<area shape=rect href="https://example.com/map">', "https://example.com/map"),
        ('<a href="https://example.com/1" href="https://example.com/2">', "https://example.com/1"),
    ],
)
def test_link_forms_are_decoded_and_rewritten(tag: str, url: str) -> None:
    result = instrument(f"<p>{tag}x</a></p>", pixel=False, honeypot=False)
    assert result.links == [(0, url, "https://t.example/c/0")]
    assert result.html.count('"https://t.example/c/0"') == 1


def test_indexes_count_rewritten_links_and_values_are_escaped() -> None:
    source = (
        "<a href=mailto:a@b.c>m</a><a href=http://a.example/>1</a>"
        "<a href='http://b.example/'>2</a><a href=http://a.example/>3</a>"
    )
    result = instrument_html(
        source,
        click_url=lambda url, index: f'https://t.example/?i={index}&u="{url}"',
        pixel_url=None,
        unsubscribe_url=UNSUB,
        honeypot_url=None,
    )
    assert [(link.index, link.original_url) for link in result.links] == [
        (0, "http://a.example/"),
        (1, "http://b.example/"),
        (2, "http://a.example/"),
    ]
    assert result.html == (
        "<a href=mailto:a@b.c>m</a>"
        '<a href="https://t.example/?i=0&amp;u=&quot;http://a.example/&quot;">1</a>'
        '<a href="https://t.example/?i=1&amp;u=&quot;http://b.example/&quot;">2</a>'
        '<a href="https://t.example/?i=2&amp;u=&quot;http://a.example/&quot;">3</a>'
    )


@pytest.mark.parametrize(
    "tag",
    [
        '<a href="mailto:x@example.com">',
        '<a href="tel:+15550100">',
        '<a href="sms:+15550100">',
        '<a href="#top">',
        '<a href="javascript:void(0)">',
        '<a href="/relative/path">',
        '<a href="page.html">',
        '<a href="http://">',
        '<a href="https://example.com/?e={{ email }}">',
        "<a href=\"https://example.com/{% url 'x' %}\">",
        '<a href="https://example.com/?id=*|UNIQID|*">',
        '<a href="https://example.com/?e=%%emailaddr%%">',
        '<a href="https://example.com/?e=%EMAIL%">',
        '<a href="https://example.com/[FNAME]">',
        '<a href="https://example.com/?u={$user}">',
        '<a href="https://example.com/?u=<%= user %>">',
        '<a href="https://example.com/?u=&lt;%= user %&gt;">',
        '<a href="https://example.com/" data-notrack>',
        '<a href="https://example.com/" data-no-track="1">',
        '<a NOTRACK href="https://example.com/">',
        '<a href="https://example.com/" clicktracking=OFF>',
    ],
)
def test_links_left_untouched(tag: str) -> None:
    source = f"<body>{tag}x</a></body>"
    result = instrument(source, pixel=False, honeypot=False)
    assert result.links == []
    assert result.html == source


def test_percent_escapes_are_not_template_tags() -> None:
    result = instrument('<a href="https://example.com/%E2%80%99%AB%CD">', pixel=False)
    assert len(result.links) == 1


@pytest.mark.parametrize(
    "tag",
    [
        '<a href="https://sender.example/unsub" data-unsubscribe>',
        '<a href="{{unsubscribe_url}}">',
        '<a href="{{ unsubscribe }}">',
        '<a href="*|UNSUB|*">',
        '<a href="%unsubscribe_url%">',
        '<a href="[unsubscribe]">',
        '<a href="<%asm_group_unsubscribe_raw_url%>">',
        '<a data-notrack href="{{{unsubscribe}}}">',
    ],
)
def test_unsubscribe_links_point_to_unsubscribe_url(tag: str) -> None:
    result = instrument(f"<p>{tag}Unsubscribe</a></p>", pixel=False, honeypot=False)
    assert result.links == []
    assert result.html.count(f'href="{UNSUB}"') == 1
    assert result.html.endswith(">Unsubscribe</a></p>")


def test_pixel_goes_before_the_last_body_close_tag() -> None:
    source = "<html><body>a</BODY><!-- </body> --><script>'</body>'</script></Body >\n</html>"
    result = instrument(source, honeypot=False)
    assert result.html == source.replace("</Body >", pixel_tag(PIXEL) + "</Body >")


def test_pixel_is_appended_without_body_and_omitted_without_url() -> None:
    assert instrument("<p>hi</p>", honeypot=False).html == "<p>hi</p>" + pixel_tag(PIXEL)
    assert instrument("<p>hi</p>", pixel=False, honeypot=False).html == "<p>hi</p>"


def test_pixel_tag_is_a_one_pixel_image_without_alt_text() -> None:
    tag = pixel_tag("https://t.example/o.gif?a=1&b=2")
    assert tag.startswith('<img src="https://t.example/o.gif?a=1&amp;b=2" width="1" height="1"')
    assert 'alt=""' in tag


@pytest.mark.parametrize(
    ("source", "before"),
    [
        ('<!DOCTYPE html><html><BODY class="x" >hi</body>', "hi</body>"),
        ("<!DOCTYPE html><html><head></head ><p>hi", "<p>hi"),
        ("<!doctype html><p>hi", "<p>hi"),
        ("<p>hi", "<p>hi"),
        ("<!-- <body> --><p>hi", "<!-- <body> --><p>hi"),
    ],
)
def test_honeypot_goes_after_body_open_tag(source: str, before: str) -> None:
    result = instrument(source, pixel=False)
    assert result.html == source.replace(before, honeypot_tag(HONEYPOT) + before, 1)
    assert instrument(source, pixel=False, honeypot=False).html == source


def test_honeypot_is_an_empty_hidden_unfocusable_link() -> None:
    tag = honeypot_tag(HONEYPOT)
    assert re.fullmatch(r'<a href="https://t\.example/h" [^<>]*></a>', tag)
    assert 'aria-hidden="true"' in tag and 'tabindex="-1"' in tag
    assert "display:none" in tag and "mso-hide:all" in tag


def test_outlook_conditional_comments_are_scanned_plain_comments_are_not() -> None:
    source = (
        '<!-- <a href="https://plain.example/"> -->'
        '<!--[if mso]><v:roundrect href="https://vml.example/" arcsize="10%">'
        '<a href="https://mso.example/">x</a><v:rect HREF=https://rect.example/ /><![endif]-->'
        '<!--[if !mso]><!--><a href="https://notmso.example/">y</a><!--<![endif]-->'
    )
    result = instrument(source, pixel=False, honeypot=False)
    assert [link.original_url for link in result.links] == [
        "https://vml.example/",
        "https://mso.example/",
        "https://rect.example/",
        "https://notmso.example/",
    ]
    assert '<!-- <a href="https://plain.example/"> -->' in result.html


@pytest.mark.parametrize(
    "source",
    [
        "<script>var a = '<a href=\"https://s.example/\">';</script>",
        "<style>a[href='https://s.example/'] {}</style  >",
        "<title><a href=https://s.example/></title>",
        "<textarea><a href=https://s.example/></TEXTAREA>",
        '<![CDATA[<a href="https://s.example/">',  # a bogus comment up to the first '>' in HTML
        '<?xml version="1.0"?><a href=https://s.example/',  # input ends inside the tag
        '<a title="unclosed href="https://s.example/">x</a>',
        '<a title="it\'s" href="mailto:a@b.c">< a href="https://s.example/"></>',
    ],
)
def test_content_that_is_not_a_link_tag_is_untouched(source: str) -> None:
    result = instrument(source, pixel=False, honeypot=False)
    assert (result.links, result.html) == ([], source)


def test_empty_comment_forms_end_immediately() -> None:
    source = (
        '<!--><a href="https://a.example/"><!---><a href="https://b.example/">'
        '<!--[if mso]><!---><a href="https://c.example/">'
    )
    result = instrument(source, pixel=False, honeypot=False)
    assert [link.original_url for link in result.links] == [
        "https://a.example/",
        "https://b.example/",
        "https://c.example/",
    ]


_FRAGMENTS = st.sampled_from(
    [
        "<a", "<A HREF=", " href=", "href = ", "<area href='", "<v:roundrect href=\"", '"', "'",
        "=", ">", "/>", " ", "\n", "<", "</", "</a>", "<!", "<?", "<!--", "-->", "--!>",
        "<!--[if mso]>", "<![endif]-->", "<!--[if !mso]><!-->", "<script>", "</script>",
        "<style>", "</style>", "<body>", "</body>", "<BODY class=x>", "<head>", "</head>",
        "<!DOCTYPE html>", "https://example.com/?a=1&amp;b=2", "http://x.example/p",
        "https://e.example/{{ x }}", "mailto:a@b.c", "{{unsubscribe_url}}",
        " data-notrack", " data-unsubscribe", " clicktracking=off", "&", "&amp;", "&copy=", "&#",
    ]
)  # fmt: skip
_HTMLISH = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=5)), max_size=40).map("".join)


@given(_HTMLISH)
def test_generated_html_keeps_byte_identity(source: str) -> None:
    assert_only_links_changed(source, instrument(source))


_URL_TAIL = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@given(_URL_TAIL, st.sampled_from(['"', "'"]))
def test_escaped_urls_round_trip(tail: str, quote: str) -> None:
    url = "https://example.com/" + tail
    escaped = html_lib.escape(url, quote=True)
    result = instrument(f"<a href={quote}{escaped}{quote}>x</a>", pixel=False, honeypot=False)
    cleaned = re.sub("[\t\n\r]", "", url.strip("".join(chr(code) for code in range(0x21))))
    if has_template_tag(cleaned):
        assert result.links == []
    else:  # what a browser opens: ada (WHATWG) serialisation of the cleaned-up value
        assert [link.original_url for link in result.links] == [ada_url.URL(cleaned).href]


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("a&amp;b&lt;c&#39;d&#x41;", "a&b<c'dA"),
        ("?x=1&amp=2&copy=3&copy2&ampx", "?x=1&amp=2&copy=3&copy2&ampx"),
        ("&amp &copy.&notit;&not;", "& ©.&notit;¬"),
        ("&#128;&#0;&#xD800;&#99999999999;", "\u20ac\ufffd\ufffd\ufffd"),
        ("&#;&#x;&;&unknown;", "&#;&#x;&;&unknown;"),
    ],
)
def test_decode_attribute_follows_html_attribute_rules(raw: str, decoded: str) -> None:
    assert decode_attribute(raw) == decoded


@given(st.text())
def test_decode_attribute_inverts_html_escape(value: str) -> None:
    assert decode_attribute(html_lib.escape(value, quote=True)) == value
