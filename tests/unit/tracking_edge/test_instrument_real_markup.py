"""instrument_html on real emails that carry each awkward href form (mixed-case scheme, wrapped
hrefs, control-character references, VML buttons in MSO comments): every link is tracked as the
URL a browser opens (html5lib + ada), the pixel is an element, and nothing else changes. Also
the scanner that searched for real emails with the cases none was found with (README)."""

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.data.html_emails.find_markup_cases import cases
from tests.unit.tracking_edge.instrumenting import (
    HTML5,
    PIXEL,
    assert_only_links_changed,
    browser_links,
    instrument,
)

CORPUS = Path(__file__).parents[2] / "data" / "html_emails"
_MSO_BLOCK = re.compile(r"<!--\[if mso\]>.*?<!\[endif\]-->", re.DOTALL)
_VML_WRITTEN = re.compile(r'<v:\w+\b[^>]*\shref="https://t\.example/c/(\d+)"')

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
        "spamassassin_spam2_00319_mixed_case_scheme.html",
        '<a\nhref="Http://xinlan.24cc.com">',
        "http://xinlan.24cc.com/",
        (),
        id="mixed-case-scheme-frontpage",
    ),
    pytest.param(
        "spamassassin_hardham1_00068_wrapped_hrefs.html",
        '<a href="http://idg.net/ic_886816_1794_9-\n10000.html">',
        "http://idg.net/ic_886816_1794_9-10000.html",
        (),
        id="line-feed-in-href",
    ),
    pytest.param(
        "spamassassin_spam2_00378_carriage_return_in_href.html",
        'href="http://www.permissionpass.com/optout.php?email=jm@netnoteinc.com\r&pos=9900027056"',
        "http://www.permissionpass.com/optout.php?email=jm@netnoteinc.com&pos=9900027056",
        (),
        id="carriage-return-in-href",
    ),
    *(
        pytest.param(
            name,
            '<v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:w="urn:schemas-microsoft-com:office:word" href="https://mailgen.js/confirm?',
            "https://mailgen.js/confirm?s=d9729feb74992cc3482b350163a1a010",
            ("https://mailgen.js/confirm?s=d9729feb74992cc3482b350163a1a010",),
            id=f"vml-roundrect-in-mso-comment-{name[17:-5]}",
        )
        for name in (
            "mailgen_rendered_cerberus_welcome.html",
            "mailgen_rendered_default_receipt.html",
        )
    ),
]


@pytest.mark.parametrize(("name", "markup", "opened", "outside_anchors"), CASES)
def test_real_email_tracks_the_url_the_browser_opens(
    name: str, markup: str, opened: str, outside_anchors: tuple[str, ...]
) -> None:
    source = (CORPUS / name).read_bytes().decode("utf-8")  # keeps CRs as they are
    assert markup in source
    result = instrument(source)
    tracked = [link.original_url for link in result.links]

    assert opened in tracked
    assert Counter(tracked) == Counter(browser_links(source)) + Counter(outside_anchors)
    assert_only_links_changed(source, result)
    pixels = [e for e in HTML5.parse(result.html).iter("img") if e.get("src") == PIXEL]
    assert len(pixels) == 1
    in_mso = "".join(_MSO_BLOCK.findall(result.html))
    vml = [result.links[int(index)].original_url for index in _VML_WRITTEN.findall(in_mso)]
    assert vml == list(outside_anchors)


def test_real_email_with_control_character_references_in_hosts_keeps_them_untracked() -> None:
    """spam-2/00452 hides its host behind raw and referenced C0 controls (`&#2;`, `&#20;`):
    browsers keep the code points, so the host is invalid and no browser opens the link (it
    also holds a `|`, so it stays invalid even if the controls were dropped): the links are
    left byte for byte as they were. The small tests in test_instrument_browser_links.py pin
    the references that do change a valid URL."""
    source = (CORPUS / "spamassassin_spam2_00452_control_references.html").read_text("utf-8")
    anchors = [e for e in HTML5.parse(source).iter() if e.tag in ("a", "area")]
    hrefs = [e.get("href") for e in anchors if e.get("href")]
    assert len(hrefs) == 15
    assert all("\x14\x02\x14\x05\x14" in href for href in hrefs)
    result = instrument(source)

    assert browser_links(source) == [] and result.links == []
    assert_only_links_changed(source, result)
    assert result.html.count("&#20;&#2;&#20;&#5;&#20;") == source.count("&#20;&#2;&#20;&#5;&#20;")
    pixels = [e for e in HTML5.parse(result.html).iter("img") if e.get("src") == PIXEL]
    assert len(pixels) == 1


def test_the_markup_scanner_finds_what_the_corpus_carries_and_the_forms_none_carries() -> None:
    """find_markup_cases.py, the tool behind the README's search for real emails, reports the
    cases this corpus carries and, on their spec forms, the three no reachable email carried."""
    found = Counter(
        case
        for path in sorted(CORPUS.glob("*.html"))
        for case, _ in cases(path.read_bytes().decode("utf-8"))
    )
    assert found == Counter({"cr-or-lf-in-href": 2, "mixed-case-scheme": 2})
    spec_forms = '<a href="HTTP://A.EXAMPLE/">a</a><a href="https://b.example/\tc">b</a><style>p{}'
    assert [case for case, _ in cases(spec_forms)] == [
        "all-caps-scheme",
        "tab-in-href",
        "ends-inside-style",
    ]
