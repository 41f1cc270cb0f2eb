"""instrument_html on real emails that carry each awkward href form (mixed-case scheme, wrapped
hrefs, control-character references, VML buttons in MSO comments): every link is tracked as the
URL a browser opens (html5lib + ada), the pixel is an element, and nothing else changes."""

from collections import Counter
from pathlib import Path

import pytest

from tests.unit.tracking_edge.instrumenting import (
    HTML5,
    PIXEL,
    assert_only_links_changed,
    browser_links,
    instrument,
)

CORPUS = Path(__file__).parents[2] / "data" / "html_emails"

# (file, markup as it appears in the file, the URL a browser opens for it, URLs tracked outside
# <a>/<area> such as VML buttons, which browsers never see)
CASES = [
    pytest.param(
        "spamassassin_spam2_00910_mixed_case_scheme.html",
        '<a href="Http://www.como-verder.com">',
        "http://www.como-verder.com/",
        (),
        id="mixed-case-scheme",
    ),
    pytest.param(
        "spamassassin_hardham1_00068_wrapped_hrefs.html",
        '<a href="http://idg.net/ic_886816_1794_9-\n10000.html">',
        "http://idg.net/ic_886816_1794_9-10000.html",
        (),
        id="line-feed-in-href",
    ),
]


@pytest.mark.parametrize(("name", "markup", "opened", "outside_anchors"), CASES)
def test_real_email_tracks_the_url_the_browser_opens(
    name: str, markup: str, opened: str, outside_anchors: tuple[str, ...]
) -> None:
    source = (CORPUS / name).read_text(encoding="utf-8")
    assert markup in source
    result = instrument(source)
    tracked = [link.original_url for link in result.links]

    assert opened in tracked
    assert Counter(tracked) == Counter(browser_links(source)) + Counter(outside_anchors)
    assert_only_links_changed(source, result)
    pixels = [e for e in HTML5.parse(result.html).iter("img") if e.get("src") == PIXEL]
    assert len(pixels) == 1
