"""User-agent analysis: email client, device, OS, browser and machine markers of one UA string.

General parsing is delegated to ``ua-parser`` (uap-core rules). The order of the rules is what
keeps real readers human: image proxies and mail clients first (mail_clients.py), then
security-gateway vendor tokens (this module), and only for UAs naming neither the generic
automated shapes (machine_patterns.py) and ``crawlerdetect``'s list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ua_parser
from crawlerdetect import CrawlerDetect
from ua_parser import Domain

from services.tracking_edge.domain.classify.machine_patterns import HEADLESS, machine_shape
from services.tracking_edge.domain.classify.mail_clients import match_mail_client

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
        (r"IronPort|Cisco Secure Email|Cisco[- ]?ESA|Talos", "cisco_secure_email"),
        (r"\bSymantec|Broadcom|MessageLabs", "symantec"),
        (r"Trend ?Micro", "trend_micro"),
        (r"Sophos", "sophos"),
        (r"FireEye|Trellix", "trellix"),
        (r"Forcepoint|Websense", "forcepoint"),
        (r"Zscaler", "zscaler"),
        (r"Palo ?Alto|paloaltonetworks", "palo_alto"),
        (r"Fortinet|FortiGuard|FortiMail", "fortinet"),
        (r"Area ?1 ?Security|\bArea1\b", "cloudflare_area1"),
        (r"Check ?Point|Avanan", "check_point"),
        (r"Bitdefender", "bitdefender"),
        (r"Kaspersky", "kaspersky"),
        (r"Google-Safety|Safe ?Browsing", "google_safe_browsing"),
        (r"Abnormal ?Security", "abnormal_security"),
        (r"IronScales", "ironscales"),
        (r"Vade ?(?:Secure|Retro)", "vade"),
        (r"Hornet ?security", "hornetsecurity"),
        (r"SpamTitan|TitanHQ", "titanhq"),
        (r"Libraesva", "libraesva"),
        (r"Cyren", "cyren"),
        (r"Skyhigh ?Security", "skyhigh"),
        (r"Egress Defend|Tessian", "egress"),
        (r"Perception ?Point", "perception_point"),
        (r"Trustwave|MailMarshal", "trustwave"),
        (r"SonicWall", "sonicwall"),
        (r"WatchGuard", "watchguard"),
        (r"Cofense", "cofense"),
        (r"Norton ?Safe ?Web", "norton_safe_web"),
        (r"LinkScanner|Link ?Protect|URL ?Defen[cs]e", "link_protection"),
        (r"urlscan|VirusTotal", "url_reputation_service"),
    )
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
        if not self._crawlers.isCrawler(user_agent):
            return ""
        match = self._crawlers.getMatches() or "crawler"
        # "Cron" (a job scheduler) also matches Chrome's network stack in Android apps' UAs
        return "" if match.lower() == "cron" and "Cronet/" in user_agent else match

    def _analyse(self, user_agent: str) -> UserAgentInfo:
        ua = user_agent.strip()
        parsed = ua_parser.parser(ua, Domain.USER_AGENT | Domain.OS)
        os_family = parsed.os.family if parsed.os and parsed.os.family != "Other" else ""
        browser = parsed.user_agent.family if parsed.user_agent else ""
        browser = "" if browser == "Other" else browser
        device = _device_for(os_family, ua)

        client, proxy = "", ""
        named = match_mail_client(ua)
        if named is not None:
            client, proxy = named.client, named.proxy_agent
            device = named.device or device
            if proxy:  # a proxy's UA describes the proxy, not the reader's system
                os_family, browser = "", ""
            elif client == "Apple Mail":  # Darwin is read as iOS: the fetch agent says which
                os_family = "Mac OS X" if device == "desktop" else "iOS"
        apple_mail = bool(_APPLE_MAIL.match(ua))
        if apple_mail and not client:
            client, browser = "Apple Mail", ""
            os_family = os_family or ("Mac OS X" if "Macintosh" in ua else "iOS")

        scanner = _first_match(_SCANNER_TOKENS, ua)
        bot = ""
        if client and not proxy:
            # a named mail client is a reader; only automation drivers override that
            bot = "headless_browser" if HEADLESS.search(ua) else ""
        elif not proxy and not scanner:
            bot = machine_shape(ua) or self._crawler_name(ua)
        return UserAgentInfo(
            email_client=client,
            device=device,
            os=os_family,
            browser=browser,
            proxy_agent=proxy,
            scanner_agent=scanner,
            bot_agent=bot,
            apple_mail=apple_mail or client == "Apple Mail",
            generic=ua in ("Mozilla/5.0", "Mozilla/4.0"),
            # a desktop OS token does not make a library a reader (python-requests (Linux));
            # mobile apps fetching natively (CFNetwork, Dalvik) are given the benefit
            non_browser=bool(ua)
            and not ua.startswith(("Mozilla/", "Opera/"))
            and not client
            and (not os_family or (os_family in _DESKTOP_OS and "CFNetwork/" not in ua)),
        )
