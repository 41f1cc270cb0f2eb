"""The mail-client table: each client is named, given a device, and kept human before any
generic bot rule (several crawler lists carry these UAs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.tracking_edge.domain.classify import HitFeatures, HitHistory
from services.tracking_edge.domain.classify.mail_clients import match_mail_client
from tests.unit.tracking_edge.classifying import shared_classifier

SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

MAIL_CLIENTS = [
    ("Mail/3826.300.87.2.22 CFNetwork/1568.300.101 Darwin/24.2.0", "Apple Mail", "desktop"),
    ("Mail/3445.4.7 CFNetwork/889.9 Darwin/17.2.0 (x86_64)", "Apple Mail", "desktop"),
    ("MobileMail/1.0 CFNetwork/1410.0.3 Darwin/22.4.0", "Apple Mail", "mobile"),
    ("Microsoft Office Outlook 12.0", "Outlook", "desktop"),
    (
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)",
        "Outlook",
        "desktop",
    ),
    ("Mozilla/4.0 (compatible; ms-office; MSOffice 16)", "Outlook", "desktop"),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0 OneOutlook/1.2023.1114.100",
        "Outlook",
        "desktop",
    ),
    ("Outlook-iOS/723.4027091.prod.iphone (4.2.0)", "Outlook", "mobile"),
    ("Outlook-Android/2.0", "Outlook", "mobile"),
    ("Outlook-Express/7.0 (MSIE 7.0; Windows NT 6.1; Trident/7.0; TmstmpExt)", "Windows Mail", ""),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.5.1",
        "Thunderbird",
        "desktop",
    ),
    ("The Bat! 9.4.0", "The Bat!", "desktop"),
    ("eM Client/9.2.1735.0", "eM Client", "desktop"),
    ("Evolution/3.44.4", "Evolution", "desktop"),
    ("Barca/2.8.4400", "Barca", "desktop"),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Superhuman/5.1.2 Chrome/114.0.5735.289 Electron/25.8.4 Safari/537.36",
        "Superhuman",
        "desktop",
    ),
    ("Postbox 7.0.60 (Windows/20230411)", "Postbox", "desktop"),
    ("Airmail 1.3.3 rv:237 (Macintosh; Mac OS X 10.9.3; sk_SK)", "Airmail", ""),
    ("Canary/3.40 CFNetwork/1408.0.4 Darwin/22.5.0", "Canary Mail", ""),
    ("Polymail/1.40 okhttp/3.12.1", "Polymail", ""),
    ("Spark/3.12.1 CFNetwork/1410.0.3 Darwin/22.4.0", "Spark", ""),
    (
        "YahooMobileMail/6.0 (Android Mail; 1.3.10) (hammerhead;LGE;Nexus 5;5.0.1/LRX22C)",
        "Yahoo Mail",
        "mobile",
    ),
    ("Android-Gmail/2023.11.05", "Gmail", "mobile"),
    ("Samsung Email/6.1.90.16", "Samsung Email", "mobile"),
    ("K-9 Mail for Android", "K-9 Mail", "mobile"),
    ("FairEmail/1.2100", "FairEmail", "mobile"),
    ("Mailbird/2.9.80.0 (Windows NT 10.0)", "Mailbird", "desktop"),
    ("Windows Mail", "Windows Mail", ""),
]


@pytest.mark.parametrize(("ua", "client", "device"), MAIL_CLIENTS)
def test_mail_client_table(ua: str, client: str, device: str) -> None:
    match = match_mail_client(ua)
    assert match is not None and (match.client, match.device) == (client, device)
    assert match.proxy_agent == ""


@pytest.mark.parametrize(("ua", "client", "device"), MAIL_CLIENTS)
def test_mail_clients_are_human_readers(ua: str, client: str, device: str) -> None:
    hit = HitFeatures(
        kind="open",
        http_method="GET",
        user_agent=ua,
        client_ip="81.2.69.142",
        received_at=SENT + timedelta(hours=1),
        sent_at=SENT,
        headers={"Accept-Language": "en"},
    )
    verdict = shared_classifier().classify(hit, HitHistory())
    assert (verdict.source, verdict.email_client) == ("human", client), verdict.reasons


@pytest.mark.parametrize(
    ("ua", "agent"),
    [
        (
            "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com "
            "GoogleImageProxy)",
            "gmail_image_proxy",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/42.0.2311.135 Safari/537.36 Edge/12.246 Mozilla/5.0",
            "gmail_image_proxy",
        ),
        (
            "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
            "yahoo_mail_proxy",
        ),
        (
            "Mozilla/5.0 (compatible; YandexImageResizer/2.0; +http://yandex.com/bots)",
            "yandex_image_proxy",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 (via webmail.example.net)",
            "webmail_example_net_proxy",
        ),
    ],
)
def test_image_proxies_are_named(ua: str, agent: str) -> None:
    match = match_mail_client(ua)
    assert match is not None and match.proxy_agent == agent


def test_a_crawler_is_no_mail_client() -> None:
    assert (
        match_mail_client("Mozilla/5.0 (compatible; Mail.RU_Bot/2.0; +http://go.mail.ru/)") is None
    )
    assert match_mail_client("Mozilla/5.0 (Linux; Android 9; Partner Evolution) Chrome/80") is None
