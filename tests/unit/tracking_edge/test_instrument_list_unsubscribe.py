"""list_unsubscribe_headers: RFC 2369 syntax and RFC 8058 one-click."""

import pytest

from services.tracking_edge.domain.list_unsubscribe import list_unsubscribe_headers

URL = "https://t.example/u/abc?x=1"


@pytest.mark.parametrize(
    ("mailto", "value"),
    [
        (None, f"<{URL}>"),
        ("unsub@example.com", f"<{URL}>, <mailto:unsub@example.com>"),
        ("MAILTO:u@example.com?subject=stop", f"<{URL}>, <MAILTO:u@example.com?subject=stop>"),
    ],
)
def test_headers_for_https_url(mailto: str | None, value: str) -> None:
    assert list_unsubscribe_headers(URL, mailto) == [
        ("List-Unsubscribe", value),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ]


def test_plain_http_url_gets_no_one_click_header() -> None:
    assert list_unsubscribe_headers("http://localhost:8080/u/abc", None) == [
        ("List-Unsubscribe", "<http://localhost:8080/u/abc>")
    ]


@pytest.mark.parametrize(
    ("url", "mailto"),
    [
        ("ftp://t.example/u", None),
        ("mailto:u@example.com", None),
        ("https://t.example/u v", None),
        ("https://t.example/u>", None),
        ("https://t.example/ü", None),
        (URL, "a b@example.com"),
        (URL, "u@example.com>, <https://evil.example/"),
    ],
)
def test_unusable_uris_are_rejected(url: str, mailto: str | None) -> None:
    with pytest.raises(ValueError):
        list_unsubscribe_headers(url, mailto)
