"""Email client, device and machine markers read from UA strings."""

from __future__ import annotations

import pytest

from services.tracking_edge.domain.classify.user_agents import UserAgentAnalyser

ANALYSER = UserAgentAnalyser(cache_size=128)
IPHONE_MAIL = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 6_0 like Mac OS X) AppleWebKit/536.26 "
    "(KHTML, like Gecko) Mobile/10A403"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 6_0 like Mac OS X) AppleWebKit/536.26 "
    "(KHTML, like Gecko) Version/6.0 Mobile/10A403 Safari/8536.25"
)
OUTLOOK_2013 = (
    "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; WOW64; Trident/7.0; SLCC2; "
    "InfoPath.3; Microsoft Outlook 15.0.4805; ms-office; MSOffice 15)"
)
GMAIL_PROXY = (
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
)


@pytest.mark.parametrize(
    ("ua", "client", "device", "os"),
    [
        (IPHONE_MAIL, "Apple Mail", "mobile", "iOS"),
        (OUTLOOK_2013, "Outlook", "desktop", "Windows"),
        ("Outlook-iOS/696.1188109.prod.iphone (2.102.0)", "Outlook", "mobile", "iOS"),
        (
            "MacOutlook/16.41.20091302 (Intelx64 Mac OS X 10.14.4 (Build 18E226))",
            "Outlook",
            "desktop",
            "Mac OS X",
        ),
        (
            "Mozilla/5.0 (Windows NT 6.1; rv:45.0) Gecko/20100101 Thunderbird/45.7.1",
            "Thunderbird",
            "desktop",
            "Windows",
        ),
        (GMAIL_PROXY, "Gmail", "webmail", ""),
        (
            "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
            "Yahoo Mail",
            "webmail",
            "",
        ),
        (IPHONE_SAFARI, "", "mobile", "iOS"),
    ],
)
def test_email_client_device_and_os(ua: str, client: str, device: str, os: str) -> None:
    info = ANALYSER.analyse(ua)
    assert (info.email_client, info.device, info.os) == (client, device, os)


def test_apple_mail_needs_the_bare_webkit_ua() -> None:
    assert ANALYSER.analyse(IPHONE_MAIL).apple_mail
    assert not ANALYSER.analyse(IPHONE_SAFARI).apple_mail


def test_outlook_is_not_a_crawler_but_an_office_link_checker_is() -> None:
    assert ANALYSER.analyse(OUTLOOK_2013).bot_agent == ""
    assert ANALYSER.analyse("Microsoft Office Existence Discovery").bot_agent != ""


def test_proxies_are_not_bots() -> None:
    info = ANALYSER.analyse(GMAIL_PROXY)
    assert (info.proxy_agent, info.bot_agent) == ("gmail_image_proxy", "")


@pytest.mark.parametrize(
    ("ua", "agent"),
    [
        ("Barracuda Sentinel (EE)", "barracuda"),
        ("Mozilla/5.0 (compatible; Mimecast URL Protect)", "mimecast"),
        ("Proofpoint URL Defense", "proofpoint"),
    ],
)
def test_security_vendor_tokens(ua: str, agent: str) -> None:
    assert ANALYSER.analyse(ua).scanner_agent == agent


def test_headless_empty_and_generic_markers() -> None:
    headless = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/66.0.3336.0 Safari/537.36"
    )
    assert ANALYSER.analyse(headless).bot_agent == "headless_browser"
    assert ANALYSER.analyse("").bot_agent == "empty_user_agent"
    assert ANALYSER.analyse("Mozilla/5.0").generic
    assert ANALYSER.analyse("curl/8.5.0").bot_agent
    assert ANALYSER.analyse("NextCloud-News/1.0").non_browser


def test_browser_and_tablet_device() -> None:
    ipad = (
        "Mozilla/5.0 (iPad; CPU OS 6_0 like Mac OS X) AppleWebKit/536.26 (KHTML, like Gecko) "
        "Version/6.0 Mobile/10A403 Safari/8536.25"
    )
    info = ANALYSER.analyse(ipad)
    assert (info.device, info.browser) == ("tablet", "Mobile Safari")


@pytest.mark.parametrize(
    "ua",
    [
        # from the npm crawler-user-agents list (tests/data/hits/README.md)
        "Mozilla/5.0 (compatible; AlertSite; +https://www.alertsite.com/)",
        "ConveraCrawler/0.9e (+http://ews.converasearch.com/crawl.htm)",
    ],
)
def test_self_identified_robots_with_a_contact_url(ua: str) -> None:
    assert ANALYSER.analyse(ua).bot_agent != ""


def test_mail_clients_have_no_contact_url() -> None:
    assert ANALYSER.analyse(OUTLOOK_2013).bot_agent == ""
    assert ANALYSER.analyse(IPHONE_MAIL).bot_agent == ""
