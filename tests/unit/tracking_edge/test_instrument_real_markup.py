"""instrument_html on real emails that carry each awkward href form (mixed-case scheme, wrapped
hrefs, control-character references, VML buttons in MSO comments): every link is tracked as the
URL a browser opens (html5lib + ada), the pixel is an element, and nothing else changes. Also
the scanner that searched for real emails with the cases none was found with (README), on
directories and on the archives it reads unpacked (sdists, npm tarballs, Debian packages)."""

import base64
import io
import re
import tarfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest

from tests.data.html_emails.find_markup_cases import cases, hits
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


_ARCHIVED_FILES = {
    "pkg/page.html": b'<p><a href="https://a.example/\tb">a</a>',
    "pkg/mail.eml": b"Content-Type: multipart/alternative; boundary=B\n\n--B\n"
    b"Content-Type: text/plain\n\nHTTP://B.EXAMPLE/\n--B\n"
    b"Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n"
    + base64.b64encode(b'<a href="HTTP://B.EXAMPLE/">b</a>')
    + b"\n--B--\n",
    "pkg/box.mbox": b"From a@example Mon Jan  1 00:00:00 2001\nContent-Type: text/plain\n\nhi\n\n"
    b"From b@example Mon Jan  1 00:00:00 2001\nContent-Type: text/html\n\n<title>unclosed\n",
    "pkg/notes.txt": b"HTTP://C.EXAMPLE/ is no HTML",
}


def _tar(mode: Literal["w:gz", "w:xz"]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:
        for name, data in _ARCHIVED_FILES.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


def _deb(data_tar: bytes) -> bytes:
    """A Debian binary package: an ar archive of debian-binary, control and data tarballs."""
    members = [(b"debian-binary", b"2.0\n"), (b"control.tar.xz", b"x"), (b"data.tar.xz", data_tar)]
    out = b"!<arch>\n"
    for name, data in members:
        header = name.ljust(16) + b"0".ljust(12) + b"0".ljust(6) * 2 + b"100644".ljust(8)
        out += header + str(len(data)).encode().ljust(10) + b"`\n" + data + b"\n" * (len(data) % 2)
    return out


@pytest.mark.parametrize(
    ("file_name", "content"),
    [
        ("sdist.tar.gz", lambda: _tar("w:gz")),
        ("orig.tar.xz", lambda: _tar("w:xz")),
        ("package.deb", lambda: _deb(_tar("w:xz"))),
    ],
)
def test_the_markup_scanner_reads_archives_without_unpacking(
    tmp_path: Path, file_name: str, content: Callable[[], bytes]
) -> None:
    """Each HTML file, text/html message part and mbox message in the archive is read; a plain
    text part or file with the same forms is not."""
    archive = tmp_path / file_name
    archive.write_bytes(content())
    counts: Counter[str] = Counter()

    found = sorted(
        (case, path.rsplit(":", 1)[1]) for case, path, _, _ in hits(str(archive), counts)
    )

    assert found == [
        ("all-caps-scheme", "pkg/mail.eml"),
        ("ends-inside-title", "pkg/box.mbox"),
        ("tab-in-href", "pkg/page.html"),
    ]
    assert counts == Counter(
        {
            "files": 4,
            "messages": 3,
            "html documents": 3,
            "all-caps-scheme": 1,
            "ends-inside-title": 1,
            "tab-in-href": 1,
        }
    )


def test_the_markup_scanner_reads_a_directory_as_its_archive(tmp_path: Path) -> None:
    for name, data in _ARCHIVED_FILES.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    archive = tmp_path / "sdist.tar.gz"
    archive.write_bytes(_tar("w:gz"))
    in_directory: Counter[str] = Counter()
    in_archive: Counter[str] = Counter()

    directory_hits = [hit[0] for hit in hits(str(tmp_path / "pkg"), in_directory)]
    archive_hits = [hit[0] for hit in hits(str(archive), in_archive)]

    expected = ["all-caps-scheme", "ends-inside-title", "tab-in-href"]
    assert sorted(directory_hits) == sorted(archive_hits) == expected
    assert in_directory == in_archive
