"""Generic shapes of automated UAs, and the browsers and apps they must leave alone."""

from __future__ import annotations

import pytest

from services.tracking_edge.domain.classify.machine_patterns import machine_shape

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("ua", "shape"),
    [
        ("", "empty_user_agent"),
        ("Mozilla/5.0 (compatible; Attracta)", "compatible_crawler"),
        ("Mozilla/5.0 (compatible; RSiteAuditor)", "compatible_crawler"),
        (
            "Mozilla/5.0 (compatible; FooFetcher/1.0; +mailto:ops@foo.example)",
            "self_identified_robot",
        ),
        ("LinkWalker/2.0 (admin@linkwalker.example.org)", "self_identified_robot"),
        ("Mozilla/5.0 (compatible; +centuryb.o.t9[at]gmail.com)", "self_identified_robot"),
        (f"{CHROME} SiteScanner/2.1", "browser_with_agent_token"),
        (f"{CHROME} LinkCheck by Example", "browser_with_agent_token"),
        ("python-requests/2.31.0 (Linux)", "http_library"),
        ("okhttp/4.9.2", "http_library"),
        ("Go-http-client/1.1", "http_library"),
        ("Apache-HttpClient/4.5.13 (Java/11.0.19)", "http_library"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36",
            "headless_browser",
        ),
    ],
)
def test_machine_shapes(ua: str, shape: str) -> None:
    assert machine_shape(ua) == shape


@pytest.mark.parametrize(
    "ua",
    [
        CHROME,
        f"{CHROME} Edg/120.0.2210.91",
        "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)",
        "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/91.0.4472.114 Mobile Safari/537.36 (Ecosia android@91.0.4472.114)",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.33.116]",
        "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
    ],
)
def test_browsers_have_no_machine_shape(ua: str) -> None:
    assert machine_shape(ua) == ""
