"""Each classification rule, through the public Classifier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.tracking_edge.domain.classify import HitFeatures, HitHistory, PriorHit
from tests.unit.tracking_edge.classifying import classify_hit, shared_classifier

SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
APPLE_MAIL = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
)
HOME_IP = "81.2.69.142"
NO_HISTORY = HitHistory()


def hit(
    kind: str = "click",
    ua: str = CHROME,
    ip: str = HOME_IP,
    after: float = 3600,
    method: str = "GET",
    link: int = 0,
    honeypot: bool = False,
    headers: dict[str, str] | None = None,
) -> HitFeatures:
    return HitFeatures(
        kind=kind,  # type: ignore[arg-type]  # test data: an enum value as int or str
        http_method=method,
        user_agent=ua,
        client_ip=ip,
        received_at=SENT + timedelta(seconds=after),
        sent_at=SENT,
        headers={"Accept-Language": "en-GB"} if headers is None else headers,
        link_index=link,
        honeypot=honeypot,
    )


def opened(at: float) -> HitHistory:
    return HitHistory((PriorHit("open", SENT + timedelta(seconds=at), 0, "human"),))


def test_reader_click_is_human_with_client_details() -> None:
    verdict = classify_hit(hit(), opened(600))
    assert (verdict.source, verdict.browser, verdict.device) == ("human", "Chrome", "desktop")
    assert verdict.machine_probability == 0.0
    assert (verdict.country, verdict.first, verdict.first_human) == ("GB", True, True)


def test_apple_mpp_prefetch_from_apple_ip() -> None:
    verdict = classify_hit(hit("open", APPLE_MAIL, "17.58.20.11", after=4), NO_HISTORY)
    assert (verdict.source, verdict.agent, verdict.email_client) == (
        "privacy_proxy",
        "apple_mpp",
        "Apple Mail",
    )
    assert verdict.machine_probability >= 0.9


def test_apple_mail_open_from_home_is_human_and_apple_ip_clicks_are_not_mpp() -> None:
    assert classify_hit(hit("open", APPLE_MAIL), NO_HISTORY).source == "human"
    assert classify_hit(hit(ip="17.58.20.11"), opened(60)).source == "human"


def test_gmail_proxy_is_a_proxy_with_low_machine_probability() -> None:
    ua = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
    verdict = classify_hit(hit("open", ua, "66.102.8.20"), NO_HISTORY)
    assert (verdict.source, verdict.agent, verdict.email_client) == (
        "privacy_proxy",
        "gmail_image_proxy",
        "Gmail",
    )
    assert verdict.machine_probability < 0.5


def test_scanner_ranges_by_kind() -> None:
    click = classify_hit(hit(ip="40.107.1.10"), opened(10))
    assert (click.source, click.agent) == ("security_scanner", "microsoft_safe_links")
    image = classify_hit(hit("open", CHROME, "40.107.1.10"), NO_HISTORY)
    assert (image.source, image.agent) == ("privacy_proxy", "microsoft_proxy")
    assert classify_hit(hit(ip="205.139.110.10"), opened(10)).agent == "mimecast"


def test_google_range_without_proxy_token_is_a_bot() -> None:
    assert classify_hit(hit(ip="66.249.66.1"), opened(10)).source == "bot"


def test_crawler_ua_is_a_bot() -> None:
    ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    verdict = classify_hit(hit(ua=ua), opened(10))
    assert verdict.source == "bot"
    assert any(reason.startswith("ua_bot:") for reason in verdict.reasons)


def test_head_request_is_a_machine() -> None:
    verdict = classify_hit(hit(method="HEAD"), opened(10))
    assert verdict.is_machine and "head_request" in verdict.reasons


def test_click_timing_after_send() -> None:
    assert classify_hit(hit(after=3), opened(1)).is_machine
    assert not classify_hit(hit(after=30), opened(10)).is_machine
    assert not classify_hit(hit(after=30), NO_HISTORY).is_machine
    assert classify_hit(hit(after=30, headers={}), NO_HISTORY).is_machine


def test_click_before_open_alone_is_not_enough() -> None:
    verdict = classify_hit(hit(), NO_HISTORY)
    assert verdict.source == "human" and "click_before_open" in verdict.reasons


def test_burst_of_links() -> None:
    now = SENT + timedelta(seconds=900)
    prior = tuple(
        PriorHit("click", now - timedelta(seconds=s), link, "human") for link, s in ((1, 5), (2, 1))
    )
    assert classify_hit(hit(after=900, link=3), HitHistory(prior)).is_machine
    assert not classify_hit(hit(after=900, link=3), HitHistory(prior[:1])).is_machine
    assert classify_hit(hit(after=900, link=3), HitHistory(prior[1:])).is_machine


def test_honeypot_hit_and_its_neighbours() -> None:
    trap = classify_hit(hit(honeypot=True, link=9), opened(10))
    assert (trap.source, trap.agent) == ("security_scanner", "honeypot")
    now = SENT + timedelta(seconds=3600)
    near = HitHistory((PriorHit("click", now - timedelta(seconds=8), 9, "bot", True),))
    far = HitHistory((PriorHit("click", now - timedelta(hours=1), 9, "bot", True),))
    assert classify_hit(hit(), near).is_machine
    assert not classify_hit(hit(), far).is_machine


def test_one_click_unsubscribe_post_from_provider_is_not_held_against_it() -> None:
    post = hit("unsubscribe", ip="66.249.66.1")._replace(http_method="POST")
    verdict = classify_hit(post, opened(10))
    assert verdict.source == "human"
    assert classify_hit(hit("unsubscribe", ip="66.249.66.1"), opened(10)).source == "bot"


def test_duplicate_and_first_semantics() -> None:
    now = SENT + timedelta(seconds=3600)
    seen = HitHistory((PriorHit("click", now - timedelta(seconds=5), 0, "security_scanner"),))
    verdict = classify_hit(hit(), seen)
    assert (verdict.first, verdict.duplicate, verdict.first_human) == (False, True, True)
    later = classify_hit(hit(), seen, duplicate_window=timedelta(seconds=2))
    assert not later.duplicate
    other_link = classify_hit(hit(link=1), seen)
    assert (other_link.first, other_link.duplicate) == (False, False)


def test_client_from_android_webview_and_webmail_referer() -> None:
    classifier = shared_classifier()
    webview = hit(headers={"Accept-Language": "en", "X-Requested-With": "com.google.android.gm"})
    assert classifier.classify(webview, opened(10)).email_client == "Gmail"
    webmail = hit(headers={"Accept-Language": "en", "Referer": "https://outlook.live.com/"})
    assert classifier.classify(webmail, opened(10)).email_client == "Outlook.com"


IE11 = "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"
OUTLOOK = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)"


def test_defender_detonation_with_a_plain_chrome_ua_from_azure() -> None:
    verdict = classify_hit(hit(ip="20.42.65.92"), opened(600))
    assert (verdict.source, verdict.agent) == ("security_scanner", "microsoft_defender")


def test_sandbox_ie11_from_a_cloud_is_a_scanner() -> None:
    verdict = classify_hit(hit(ua=IE11, ip="52.95.110.1"), opened(600))
    assert (verdict.source, verdict.agent) == ("security_scanner", "aws_datacentre")
    assert classify_hit(hit(ua=IE11), opened(600)).source == "human"


def test_outlook_in_a_cloud_desktop_is_still_a_reader() -> None:
    verdict = classify_hit(hit(kind="open", ua=OUTLOOK, ip="20.42.65.92"), NO_HISTORY)
    assert (verdict.source, verdict.email_client) == ("human", "Outlook")


def test_apple_mail_from_private_relay_is_mpp_but_safari_clicks_are_readers() -> None:
    relay = "172.224.226.5"
    verdict = classify_hit(hit(kind="open", ua=APPLE_MAIL, ip=relay), NO_HISTORY)
    assert (verdict.source, verdict.agent) == ("privacy_proxy", "apple_mpp")
    safari = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
    )
    assert classify_hit(hit(ua=safari, ip=relay), opened(600)).source == "human"


def test_gmail_proxy_fetch_from_google_keeps_a_low_machine_probability() -> None:
    proxy = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/42.0.2311.135 Safari/537.36 Edge/12.246 Mozilla/5.0"
    )
    verdict = classify_hit(hit(kind="open", ua=proxy, ip="66.102.8.20"), NO_HISTORY)
    assert (verdict.source, verdict.agent) == ("privacy_proxy", "gmail_image_proxy")
    assert verdict.machine_probability < 0.5


def test_google_link_check_and_declared_crawlers_by_address() -> None:
    google = classify_hit(hit(ip="66.102.8.20"), opened(600))
    assert (google.source, google.agent) == ("security_scanner", "google_safe_browsing")
    crawler = classify_hit(hit(ip="66.249.66.1"), opened(600))
    assert (crawler.source, crawler.agent) == ("bot", "googlebot")


def test_a_security_vendor_network_outside_the_snapshots_is_a_scanner() -> None:
    # 185.132.180.0/22 is Proofpoint's (ASN "Proofpoint, Inc."), not in proofpoint.txt
    verdict = classify_hit(hit(ip="185.132.180.1"), opened(600))
    assert (verdict.source, verdict.agent) == ("security_scanner", "proofpoint")
    assert any(reason.startswith("ip_range:asn:") for reason in verdict.reasons)
    assert classify_hit(hit(ip="165.225.0.1"), opened(600)).source == "human"  # Zscaler proxy


def test_a_person_in_a_desktop_browser_is_labelled_web_browser_not_unknown() -> None:
    verdict = classify_hit(hit(kind="open", after=20), NO_HISTORY)
    assert (verdict.source, verdict.agent) == ("human", "Chrome")  # the verdict is unchanged
    assert (verdict.email_client, verdict.device) == ("Web browser (Chrome)", "desktop")
    scanner = classify_hit(hit(ip="20.42.65.92"), opened(600))
    assert scanner.source == "security_scanner" and scanner.email_client == ""
    webmail = hit(headers={"Accept-Language": "en", "Referer": "https://outlook.live.com/"})
    assert classify_hit(webmail, opened(10)).email_client == "Outlook.com"
    apple = classify_hit(hit(kind="open", ua=APPLE_MAIL), NO_HISTORY)
    assert apple.email_client == "Apple Mail"
