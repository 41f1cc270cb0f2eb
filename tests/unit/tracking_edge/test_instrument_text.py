"""instrument_text: URL boundaries in prose, unsubscribe placeholders, index continuation."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.tracking_edge.domain.rewrite_text import instrument_text

CORPUS = Path(__file__).parents[2] / "data" / "html_emails"
UNSUB = "https://t.example/u"


def _click(url: str, index: int) -> str:
    return f"https://t.example/c/{index}"


def _rewrite(text: str, start_index: int = 0, known: dict[str, int] | None = None) -> str:
    return instrument_text(
        text, click_url=_click, unsubscribe_url=UNSUB, start_index=start_index, known_indexes=known
    ).text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See https://a.example/x.", "See https://t.example/c/0."),
        ("https://a.example/x, then", "https://t.example/c/0, then"),
        ("(see https://a.example/x)", "(see https://t.example/c/0)"),
        ("https://en.example/wiki/Foo_(bar).", "https://t.example/c/0."),
        ("Go: <https://a.example/x>!", "Go: <https://t.example/c/0>!"),
        ("<https://a.example/x?a=1&b=2>", "<https://t.example/c/0>"),
        ('href "https://a.example/x"?', 'href "https://t.example/c/0"?'),
        ("HTTP://A.EXAMPLE/?q=1;", "https://t.example/c/0;"),
        ("[docs](https://a.example/d)", "[docs](https://t.example/c/0)"),
        ("line\nhttps://a.example/x\nnext", "line\nhttps://t.example/c/0\nnext"),
    ],
)
def test_urls_are_rewritten_without_surrounding_punctuation(text: str, expected: str) -> None:
    assert _rewrite(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mail me: mailto:a@example.com or tel:+15550100",
        "https://a.example/?e={{email}} and https://a.example/?id=*|UNIQID|*",
        "ftp://files.example/x and http:// alone",
        "xhttps://a.example/ is not a URL start",
        "<https://a.example/{{ x }}>",
    ],
)
def test_other_text_is_untouched(text: str) -> None:
    result = instrument_text(text, click_url=_click, unsubscribe_url=UNSUB, start_index=0)
    assert (result.text, result.links) == (text, [])


@pytest.mark.parametrize(
    "placeholder",
    ["{{unsubscribe_url}}", "{{ unsubscribe }}", "*|UNSUB|*", "%unsubscribe_url%", "[unsubscribe]"],
)
def test_unsubscribe_placeholders_are_replaced(placeholder: str) -> None:
    assert _rewrite(f"Stop: {placeholder}.") == f"Stop: {UNSUB}."


def test_markdown_link_text_is_not_an_unsubscribe_placeholder() -> None:
    assert _rewrite("[unsubscribe](https://s.example/u)") == "[unsubscribe](https://t.example/c/0)"


def test_indexes_continue_after_html_and_reuse_known_urls() -> None:
    text = "https://a.example/ https://b.example/ https://a.example/ https://c.example/"
    result = instrument_text(
        text,
        click_url=_click,
        unsubscribe_url=UNSUB,
        start_index=5,
        known_indexes={"https://c.example/": 2},
    )
    assert result.text == (
        "https://t.example/c/5 https://t.example/c/6 https://t.example/c/5 https://t.example/c/2"
    )
    assert [(link.index, link.original_url) for link in result.links] == [
        (5, "https://a.example/"),
        (6, "https://b.example/"),
    ]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda path: path.name)
def test_corpus_text_parts(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    result = instrument_text(source, click_url=_click, unsubscribe_url=UNSUB, start_index=0)
    assert result.links
    restored = result.text
    for link in result.links:
        restored = restored.replace(link.tracking_url, link.original_url)
    assert restored == source


@given(st.text(), st.integers(min_value=0, max_value=10))
def test_generated_text_maps_back(text: str, start: int) -> None:
    result = instrument_text(
        text,
        click_url=lambda url, index: f"\x00{index}\x00",
        unsubscribe_url="\x01",
        start_index=start,
    )
    restored = result.text
    for link in result.links:
        restored = restored.replace(link.tracking_url, link.original_url)
    if "\x00" not in text and "\x01" not in result.text:
        assert restored == text
    assert [link.index for link in result.links] == list(range(start, start + len(result.links)))
