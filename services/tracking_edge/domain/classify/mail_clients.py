"""The maintained table of mail clients and mailbox image proxies, matched on UA strings.

It is consulted before any generic bot rule: a UA that names a mail client is the reader's
client fetching the pixel or following a link, whatever a crawler list thinks of it (several
list Outlook, Airmail or Apple Mail's native fetch agent as bots). Each entry gives the client's
name and its device class (``desktop``, ``mobile``, ``webmail``, or ``""`` to take it from the
OS token). Sources: the PIM and mobile-app tables of Matomo's device-detector
(``regexes/client/pim.yml``, ``mobile_apps.yml`` in PyPI ``device-detector`` 6.5.1), the
vendors' own UA documentation (Microsoft Outlook's ``ms-office``/``MSOffice`` tokens, Yahoo's
SLN28749 proxy page, Google's "images in Gmail" proxy), and the Android package names the apps
are published under (sent as ``X-Requested-With`` by their WebViews).

Proxies come first: a proxy's UA describes the mailbox provider's fetcher, not the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MailClientMatch:
    """A mail client or image proxy named by a UA."""

    client: str
    device: str
    proxy_agent: str = ""


# (pattern, client, proxy agent). A UA ending in a second bare "Mozilla/5.0" after a complete
# Chrome/Edge UA is the fixed string of Gmail's image prefetch (ggpht.com) when the proxy does
# not announce itself; "(via host)" is how webmail image proxies mark forwarded fetches.
_PROXIES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), client, agent)
    for pattern, client, agent in (
        (r"GoogleImageProxy|via ggpht\.com", "Gmail", "gmail_image_proxy"),
        (r"Safari/[\d.]+ Edge?/[\d.]+ Mozilla/5\.0$", "Gmail", "gmail_image_proxy"),
        (r"YahooMailProxy", "Yahoo Mail", "yahoo_mail_proxy"),
        (r"YandexImageResizer", "Yandex Mail", "yandex_image_proxy"),
        (r"Mail\.RU_Bot/Img", "Mail.ru", "mailru_image_proxy"),
        (r"Mail\w*/[\d.]+ \([^)]*ImageProxy|\bMail ?Proxy\b", "", "mail_image_proxy"),
    )
)
_VIA_HOST = re.compile(r"\(via ([a-z0-9.-]+\.[a-z]{2,})[^)]*\)\s*$", re.IGNORECASE)

# (pattern, client, device). Order matters only where patterns overlap: more specific first.
_CLIENTS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), client, device)
    for pattern, client, device in (
        # Microsoft: Outlook for iOS/Android, Outlook for Mac, Office/Outlook on Windows from
        # Outlook 2007 ("Microsoft Office Outlook 12.0") to the new Outlook (OneOutlook).
        (r"Outlook-iOS|Outlook-Android|com\.microsoft\.office\.outlook", "Outlook", "mobile"),
        (r"MacOutlook|Microsoft Office Outlook/[\d.]+ \(Mac", "Outlook", "desktop"),
        (r"Outlook-Express|Windows-Live-Mail|Windows Live Mail|WindowsMail/", "Windows Mail", ""),
        (r"\bWindows Mail\b|microsoft\.windowscommunicationsapps", "Windows Mail", ""),
        (
            r"Microsoft (?:Office )?Outlook|\bms-office\b|\bMSOffice \d|OneOutlook|"
            r"\bOutlook/\d|Microsoft\.Outlook",
            "Outlook",
            "desktop",
        ),
        # Office apps following a link from a document (not crawlers, whatever lists say).
        (
            r"^Microsoft Office (?:Word|Excel|PowerPoint|OneNote|Visio|Access|Publisher)/|"
            r"^Microsoft Office/[\d.]+ \([^)]*Microsoft (?:Word|Excel|PowerPoint|OneNote)",
            "Microsoft Office",
            "desktop",
        ),
        # Apple Mail: its native fetch agent (macOS "Mail/…", iOS "MobileMail/…" over CFNetwork)
        # and its renderer (the bare WebKit UA, matched in user_agents.py).
        (r"^Mail/[\d.]+ .*CFNetwork/|^Mail/[\d.]+$", "Apple Mail", "desktop"),
        (r"^MobileMail/|com\.apple\.mobilemail", "Apple Mail", "mobile"),
        # Desktop clients that name only themselves.
        (r"Thunderbird/|Icedove/|Shredder/|Betterbird/", "Thunderbird", "desktop"),
        (r"SeaMonkey/|Iceape/|Spicebird/", "SeaMonkey", "desktop"),
        (r"The Bat!", "The Bat!", "desktop"),
        (r"\beM ?Client\b", "eM Client", "desktop"),
        (r"\bEvolution/\d", "Evolution", "desktop"),
        (r"\bBarca(?:Pro)?[/ ]\d", "Barca", "desktop"),
        (r"\bPostbox[/ ]\d", "Postbox", "desktop"),
        (r"\bSuperhuman\b", "Superhuman", "desktop"),
        (r"\bMailbird\b", "Mailbird", "desktop"),
        (r"\bMailspring/", "Mailspring", "desktop"),
        (r"\bMimestream/", "Mimestream", "desktop"),
        (r"Lotus-Notes|Lotus Notes|IBM Notes|HCL Notes", "Notes", "desktop"),
        (r"\bGroupWise\b", "GroupWise", "desktop"),
        (r"Claws Mail|Sylpheed|\bKMail\b|Trojit[aá]|\bGeary/|\bBalsa/", "Linux mail", "desktop"),
        (r"\bFoxmail/", "Foxmail", "desktop"),
        (r"\bMailMaster", "Mail Master", ""),
        (r"\bHiri/", "Hiri", "desktop"),
        (r"\bMissive/", "Missive", "desktop"),
        (r"\bFront/\d[\d.]* .*Electron/", "Front", "desktop"),
        (r"Kiwi for Gmail|\bWavebox/|ramboxpro/|\bRambox/|\bFranz/", "Multi-inbox app", "desktop"),
        # Apple-platform and cross-platform apps, often over CFNetwork or an HTTP library.
        (r"\bAirmail\b", "Airmail", ""),
        (r"\bCanary(?:%20| )?Mail\b|^Canary/\d", "Canary Mail", ""),
        (r"\bPolymail\b", "Polymail", ""),
        (r"^Spark/\d|SparkDesktop|Readdle|com\.readdle\.smartemail", "Spark", ""),
        (r"Edison ?Mail|com\.easilydo\.mail", "Edison Mail", "mobile"),
        (r"\bNewton(?:Mail)?/\d|CloudMagic", "Newton Mail", ""),
        (r"\bHEY/\d|HEY-Desktop|com\.basecamp\.hey", "HEY", ""),
        # Mobile apps.
        (r"Android-Gmail|com\.google\.android\.gm\b|\bGmail/\d|\bGmailApp", "Gmail", "mobile"),
        (r"Samsung ?E?mail|com\.samsung\.android\.email", "Samsung Email", "mobile"),
        (
            r"YahooMobile|YahooMail/|Yahoo%20Mail|com\.yahoo\.mobile\.client\.android\.mail|"
            r"jp\.co\.yahoo\.ymail",
            "Yahoo Mail",
            "mobile",
        ),
        (r"\bAOL ?Mail\b|com\.aol\.mobile\.aolapp|AolMail", "AOL Mail", "mobile"),
        (
            r"K-9 ?Mail|k9mail|com\.fsck\.k9|Thunderbird for Android|net\.thunderbird\.android",
            "K-9 Mail",
            "mobile",
        ),
        (r"FairEmail|eu\.faircode\.email", "FairEmail", "mobile"),
        (r"Aqua ?Mail|org\.kman\.AquaMail", "Aqua Mail", "mobile"),
        (r"BlueMail/|\bTypeApp\b|me\.bluemail", "BlueMail", "mobile"),
        (r"\bNine(?:%20| )?Mail\b|com\.ninefolders", "Nine", "mobile"),
        (r"Proton ?Mail|ch\.protonmail", "Proton Mail", ""),
        (r"Tutanota|Tuta ?Mail|de\.tutao", "Tuta", ""),
        (r"\bmyMail/|ru\.mail\.mailapp", "myMail", "mobile"),
        (r"Yandex\.?Mail|ru\.yandex\.mail", "Yandex Mail", "mobile"),
        (r"Zoho ?Mail|com\.zoho\.mail", "Zoho Mail", ""),
        (r"GMX ?Mail|WEB\.DE ?Mail|de\.gmx\.mobile|de\.web\.mobile", "GMX / WEB.DE Mail", "mobile"),
        (r"NaverMailApp", "NAVER Mail", "mobile"),
        (r"\bmailapp/\d", "MailApp", "mobile"),
        (r"WorxMail/|Citrix Secure ?Mail", "Citrix Secure Mail", "mobile"),
        (r"BLACKBERRY-WorkConnect|BlackBerry Work", "BlackBerry Work", "mobile"),
    )
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:48]


def match_mail_client(user_agent: str) -> MailClientMatch | None:
    """The image proxy or mail client a UA names, or None."""
    for pattern, client, agent in _PROXIES:
        if pattern.search(user_agent):
            return MailClientMatch(client, "webmail", agent)
    via = _VIA_HOST.search(user_agent)
    if via:
        return MailClientMatch("", "webmail", f"{_slug(via.group(1))}_proxy")
    for pattern, client, device in _CLIENTS:
        if pattern.search(user_agent):
            return MailClientMatch(client, device)
    return None
