"""instrument_html with the test URLs, and the checks shared by the corpus tests: the output
equals the input except for the rewritten link values and the inserted tags, and the links a
browser opens (html5lib + ada, independent of our scanner)."""

import re

import ada_url
import html5lib

from emailtrack.common.browser_urls import web_url
from services.tracking_edge.domain.html_scan import decode_attribute
from services.tracking_edge.domain.merge_tags import has_template_tag, is_unsubscribe_placeholder
from services.tracking_edge.domain.rewrite_html import (
    InstrumentedHtml,
    honeypot_tag,
    instrument_html,
    pixel_tag,
)

PIXEL = "https://t.example/o.gif"
HONEYPOT = "https://t.example/h"
UNSUB = "https://t.example/u"
_WRITTEN_URL = re.compile(r'"https://t\.example/(?:c/(\d+)|u)"')
_VALUE_TOKEN = re.compile(r'"[^"]*"|\'[^\']*\'|[^\t\n\f\r >"\'][^\t\n\f\r >]*')


def _click(url: str, index: int) -> str:
    return f"https://t.example/c/{index}"


def instrument(source: str, *, pixel: bool = True, honeypot: bool = True) -> InstrumentedHtml:
    return instrument_html(
        source,
        click_url=_click,
        pixel_url=PIXEL if pixel else None,
        unsubscribe_url=UNSUB,
        honeypot_url=HONEYPOT if honeypot else None,
    )


def assert_only_links_changed(source: str, result: InstrumentedHtml) -> None:
    """Undo the insertions and map each written URL back to the input's value token: the input
    must come back byte for byte, each token decoding to the URL reported for its index."""
    output = result.html
    for inserted in (pixel_tag(PIXEL), honeypot_tag(HONEYPOT)):
        assert output.count(inserted) == 1
        output = output.replace(inserted, "", 1)
    pieces = _WRITTEN_URL.split(output)
    position, seen = 0, []
    for text, index in zip(pieces[0::2], pieces[1::2], strict=False):
        assert source.startswith(text, position)
        position += len(text)
        token = _VALUE_TOKEN.match(source, position)
        assert token is not None
        raw = token.group(0)
        value = decode_attribute(raw[1:-1] if raw[0] in "\"'" else raw)
        if index is not None:
            seen.append(int(index))
            assert web_url(value) == result.links[int(index)].original_url
        position = token.end()
    assert source[position:] == pieces[-1]
    assert seen == list(range(len(result.links)))


HTML5 = html5lib.HTMLParser(namespaceHTMLElements=False)
_OPT_OUTS = ("data-notrack", "data-no-track", "notrack", "data-unsubscribe")


def browser_links(source: str) -> list[str]:
    """http(s) hrefs of <a>/<area> as a browser opens them (html5lib, then ada, relative ones
    against the first <base href>), outside comments, without merge tags or opt-outs."""
    found = []
    tree = HTML5.parse(source)
    bases = [e.get("href") for e in tree.iter("base") if e.get("href") is not None]
    for element in tree.iter():
        href = element.get("href") if element.tag in ("a", "area") else None
        if href is None or has_template_tag(href) or is_unsubscribe_placeholder(href.strip()):
            continue
        if any(name in element.attrib for name in _OPT_OUTS):
            continue
        try:
            url = ada_url.URL(href)
        except ValueError:
            if not bases or not href.strip() or href.strip().startswith("#"):
                continue
            try:  # relative: resolved against the first <base href>, as browsers do
                url = ada_url.URL(href, base=bases[0])
            except ValueError:
                continue
        if url.protocol in ("http:", "https:") and url.hostname:
            found.append(url.href)
    return found
