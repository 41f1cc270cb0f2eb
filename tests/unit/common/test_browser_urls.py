"""browser_urls: the WHATWG URL clean-up and serialisation, as properties over generated URLs."""

import ada_url
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emailtrack.common.browser_urls import preprocess, redirect_location, web_url

_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
_HOSTS = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,6}){1,2}", fullmatch=True)
_PATHS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
_URLS = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["http", "https"]),
    _HOSTS,
    _PATHS,
)


@given(_URLS, st.text(_C0_AND_SPACE, max_size=4), st.text(_C0_AND_SPACE, max_size=4))
def test_leading_and_trailing_c0_controls_and_spaces_do_not_matter(
    url: str, before: str, after: str
) -> None:
    assert web_url(before + url + after) == web_url(url.strip(_C0_AND_SPACE))


@given(_URLS, st.lists(st.tuples(st.integers(0, 200), st.sampled_from("\t\n\r")), max_size=6))
def test_tab_cr_lf_anywhere_are_removed(url: str, insertions: list[tuple[int, str]]) -> None:
    wrapped = url
    for position, character in insertions:
        position = min(position, len(wrapped))
        wrapped = wrapped[:position] + character + wrapped[position:]
    assert web_url(wrapped) == web_url(url)
    assert preprocess(wrapped) == preprocess(url)


@given(_URLS, st.data())
def test_scheme_and_host_letter_case_do_not_matter(url: str, data: st.DataObject) -> None:
    scheme, rest = url.split("://", 1)
    host, path = rest.split("/", 1)
    upper = data.draw(st.lists(st.booleans(), min_size=len(scheme), max_size=len(scheme)))
    mixed = "".join(c.upper() if up else c for c, up in zip(scheme, upper, strict=True))
    assert web_url(f"{mixed}://{host.upper()}/{path}") == web_url(url)


@given(_URLS)
def test_result_is_the_ada_serialisation_and_a_fixed_point(url: str) -> None:
    serialised = web_url(url)
    assert serialised == ada_url.URL(url).href
    assert serialised is not None and serialised.isascii()
    assert web_url(serialised) == serialised
    assert redirect_location(serialised) == serialised


@given(st.text(max_size=60))
def test_redirect_location_is_printable_ascii_or_none(raw: str) -> None:
    location = redirect_location(raw)
    if location is not None:
        assert all(0x21 <= ord(c) <= 0x7E for c in location)
        assert location.startswith(("http://", "https://"))


@pytest.mark.parametrize(
    "raw",
    [
        "mailto:a@example.com",
        "javascript:alert(1)",
        "/relative",
        "#top",
        "https://exa mple.com",
        "http://",
        "tel:+1",
        "ftp://example.com/",
    ],
)
def test_what_a_browser_would_not_open_as_a_web_link_is_none(raw: str) -> None:
    assert web_url(raw) is None
    assert redirect_location(raw) is None


def test_old_token_destinations_are_cleaned_up_for_the_redirect() -> None:
    assert redirect_location("HTTPS://Example.com/a?b=1\r\n&c=2") == "https://example.com/a?b=1&c=2"
