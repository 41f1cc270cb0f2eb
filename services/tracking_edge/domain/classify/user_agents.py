"""User-agent analysis: email client, device, OS, browser and machine markers of one UA string.

General parsing is delegated to ``ua-parser`` (uap-core rules) and bot detection to
``crawlerdetect``; the email-specific tokens (mail clients, image proxies, security-gateway
vendors, headless browsers) are the documented rules in this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ua_parser
from crawlerdetect import CrawlerDetect
from ua_parser import Domain

# (pattern, email client, device or "" to take it from the OS, proxy agent or "")
_MAIL_CLIENT_TOKENS: tuple[tuple[re.Pattern[str], str, str, str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), client, device, proxy)
    for pattern, client, device, proxy in (
        (r"GoogleImageProxy", "Gmail", "webmail", "gmail_image_proxy"),
        (r"YahooMailProxy", "Yahoo Mail", "webmail", "yahoo_mail_proxy"),
        (r"Outlook-iOS|Outlook-Android", "Outlook", "mobile", ""),
        (r"MacOutlook", "Outlook", "desktop", ""),
        (r"Microsoft Outlook|ms-office|MSOffice", "Outlook", "desktop", ""),
        (r"Windows-Live-Mail|Windows Mail|Outlook-Express", "Windows Mail", "desktop", ""),
        (r"Thunderbird/", "Thunderbird", "desktop", ""),
        (r"Samsung ?E?mail", "Samsung Email", "mobile", ""),
        (r"YahooMobile|YahooMail/", "Yahoo Mail", "", ""),
    )
)

# Apple Mail (macOS, iOS, iPadOS) renders with WebKit and, unlike Safari and in-app browsers,
# sends the bare WebKit UA: no "Safari", "Version/" or app token after "(KHTML, like Gecko)".
_APPLE_MAIL = re.compile(
    r"^Mozilla/5\.0 \((iPhone|iPad|iPod|Macintosh)[^)]*\) AppleWebKit/[\d.]+ "
    r"\(KHTML, like Gecko\)(?: Mobile/\w+)?$"
)

# Vendor names of secure email gateways and URL scanners, matched anywhere in the UA.
_SCANNER_TOKENS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), agent)
    for pattern, agent in (
        (r"Safe ?Links|Microsoft Defender|Defender ?ATP", "microsoft_defender"),
        (r"Mimecast", "mimecast"),
        (r"Proofpoint|urldefense", "proofpoint"),
        (r"Barracuda", "barracuda"),
        (r"IronPort|Cisco Secure Email", "cisco_secure_email"),
        (r"Symantec|Broadcom|MessageLabs", "symantec"),
        (r"Trend ?Micro", "trend_micro"),
        (r"Sophos", "sophos"),
        (r"FireEye|Trellix", "trellix"),
        (r"Forcepoint|Websense", "forcepoint"),
        (r"Zscaler", "zscaler"),
        (r"Palo ?Alto|paloaltonetworks", "palo_alto"),
        (r"Fortinet|FortiGuard|FortiMail", "fortinet"),
        (r"Area ?1 ?Security|Area1", "cloudflare_area1"),
        (r"Check ?Point", "check_point"),
    )
)

# crawlerdetect lists these mail clients' UAs among crawlers; in email they are readers.
_CRAWLER_LISTED_MAIL_CLIENTS = frozenset({"Outlook", "Windows Mail"})

# Automated clients identify themselves with a contact URL ("+https://…", RFC 9110's
# product comment convention for robots) or a "compatible; Name[/v]; +url" block; mail
# clients and browsers never do.
_CONTACT_URL = re.compile(r"\+https?://|\bcompatible; [^;()]+; \+?https?://", re.IGNORECASE)

_HEADLESS = re.compile(
    r"HeadlessChrome|PhantomJS|Puppeteer|Playwright|Selenium|SlimerJS|Headless", re.IGNORECASE
)

_DESKTOP_OS = frozenset(
    {"Windows", "Mac OS X", "Linux", "Ubuntu", "Chrome OS", "Fedora", "Debian", "FreeBSD"}
)


@dataclass(frozen=True, slots=True)
class UserAgentInfo:
    """What one UA string says; empty strings mean "not known"."""

    email_client: str
    device: str
    os: str
    browser: str
    proxy_agent: str
    scanner_agent: str
    bot_agent: str
    apple_mail: bool
    generic: bool
    non_browser: bool


def _device_for(os_family: str, user_agent: str) -> str:
    if os_family in ("iOS", "iPadOS"):
        if "iPad" in user_agent:
            return "tablet"
        # the device rules are most of ua-parser's work: only iOS UAs need them
        device = ua_parser.parse_device(user_agent)
        return "tablet" if device is not None and "iPad" in device.family else "mobile"
    if os_family == "Android":
        return "mobile" if "Mobile" in user_agent else "tablet"
    if os_family in ("Windows Phone", "BlackBerry OS", "Symbian OS"):
        return "mobile"
    if os_family in _DESKTOP_OS:
        return "desktop"
    return "unknown"


def _first_match(patterns: tuple[tuple[re.Pattern[str], str], ...], text: str) -> str:
    for pattern, agent in patterns:
        if pattern.search(text):
            return agent
    return ""


class UserAgentAnalyser:
    """Analyses UA strings with an LRU cache, since the same few UAs make most traffic."""

    def __init__(self, cache_size: int = 65_536) -> None:
        self._crawlers = CrawlerDetect()
        self.analyse = lru_cache(maxsize=cache_size)(self._analyse)

    def _crawler_name(self, user_agent: str) -> str:
        if self._crawlers.isCrawler(user_agent):
            return self._crawlers.getMatches() or "crawler"
        return ""

    def _analyse(self, user_agent: str) -> UserAgentInfo:
        ua = user_agent.strip()
        parsed = ua_parser.parser(ua, Domain.USER_AGENT | Domain.OS)
        os_family = parsed.os.family if parsed.os and parsed.os.family != "Other" else ""
        browser = parsed.user_agent.family if parsed.user_agent else ""
        browser = "" if browser == "Other" else browser
        device = _device_for(os_family, ua)

        client, proxy = "", ""
        for pattern, name, client_device, proxy_agent in _MAIL_CLIENT_TOKENS:
            if pattern.search(ua):
                client, proxy = name, proxy_agent
                device = client_device or device
                if proxy:  # a proxy's UA describes the proxy, not the reader's system
                    os_family, browser = "", ""
                break
        apple_mail = bool(_APPLE_MAIL.match(ua))
        if apple_mail and not client:
            client, browser = "Apple Mail", ""
            os_family = os_family or ("Mac OS X" if "Macintosh" in ua else "iOS")

        scanner = _first_match(_SCANNER_TOKENS, ua)
        bot = ""
        if not ua:
            bot = "empty_user_agent"
        elif _HEADLESS.search(ua):
            bot = "headless_browser"
        elif _CONTACT_URL.search(ua) and not proxy and not scanner:
            bot = "self_identified_robot"
        elif not proxy and not scanner:
            crawler = self._crawler_name(ua)
            bot = "" if client in _CRAWLER_LISTED_MAIL_CLIENTS else crawler
        return UserAgentInfo(
            email_client=client,
            device=device,
            os=os_family,
            browser=browser,
            proxy_agent=proxy,
            scanner_agent=scanner,
            bot_agent=bot,
            apple_mail=apple_mail,
            generic=ua in ("Mozilla/5.0", "Mozilla/4.0"),
            non_browser=bool(ua)
            and not ua.startswith(("Mozilla/", "Opera/"))
            and not (client or os_family),
        )
