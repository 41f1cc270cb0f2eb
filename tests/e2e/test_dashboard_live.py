"""Headless Chromium (Debian's, through Playwright) against the running stack: log in, open a
campaign, fire a pixel hit and see the counter change without a reload. Screenshots go to
test-artifacts/. A missing browser fails the test: install it with `apt-get install -y
chromium` (the Makefile's install target does)."""

from __future__ import annotations

import shutil
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from emailtrack.common.grpc_server import client_channel
from emailtrack.common.identity import recipient_id_for
from emailtrack.platform.supervisor import Platform
from emailtrack.v1 import campaign_pb2, campaign_pb2_grpc, tracking_edge_pb2, tracking_edge_pb2_grpc
from tests.e2e.conftest import Operator, logged_in_page

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
READER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install -y chromium` (make install does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def pixel_url(platform: Platform, tenant: str, campaign: str, email: str) -> str:
    message = tracking_edge_pb2.MessageToInstrument(
        tenant_id=tenant,
        campaign_id=campaign,
        message_id=f"{campaign}-{email}",
        recipient_id=recipient_id_for(tenant, email),
        html="<html><body><p>Hello</p></body></html>",
    )
    with client_channel(
        f"127.0.0.1:{platform.ports['tracking-edge']}", api_key=platform.admin_key
    ) as channel:
        stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
        request = tracking_edge_pb2.InstrumentMessageRequest(message=message)
        return stub.InstrumentMessage(request).message.pixel_url


def define_campaign(platform: Platform, tenant: str, campaign: str) -> None:
    """A campaign watched before its first event must be defined: else its page is a 404."""
    with client_channel(
        f"127.0.0.1:{platform.ports['recipient']}", api_key=platform.admin_key
    ) as channel:
        campaign_pb2_grpc.CampaignServiceStub(channel).CreateCampaign(
            campaign_pb2.CreateCampaignRequest(tenant_id=tenant, campaign_id=campaign, name="Live")
        )


def open_pixel(url: str) -> None:
    request = urllib.request.Request(
        url, headers={"User-Agent": READER, "Accept-Language": "en-GB"}
    )
    with urllib.request.urlopen(request, timeout=5) as reply:
        assert reply.status == 200


def test_counter_changes_live_without_reload(
    browser, platform: Platform, operator: Operator
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    campaign = f"live-{uuid.uuid4().hex[:6]}"
    first = pixel_url(platform, operator.tenant, campaign, "ada@example.com")
    second = pixel_url(platform, operator.tenant, campaign, "grace@example.com")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{platform.gateway_url}/dashboard/campaigns/{campaign}")
    page.wait_for_url("**/dashboard/login")
    page.fill("input[name=username]", operator.user)
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    page.wait_for_selector(".alert")
    page.fill("input[name=username]", operator.user)
    page.fill("input[name=password]", operator.password)
    page.screenshot(path=ARTIFACTS / "dashboard-login.png")
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
    unknown = page.goto(f"{platform.gateway_url}/dashboard/campaigns/{campaign}")
    assert unknown is not None and unknown.status == 404  # no definition, no event yet
    define_campaign(platform, operator.tenant, campaign)
    page.goto(f"{platform.gateway_url}/dashboard/campaigns/{campaign}")
    page.wait_for_selector("#live-state.on", timeout=15_000)
    unique_opens = page.locator('[data-counter="opens_unique"]')
    expect(unique_opens).to_have_text("0")
    page.evaluate("window.__notReloaded = true")

    open_pixel(first)
    expect(unique_opens).to_have_text("1", timeout=15_000)
    open_pixel(second)
    expect(unique_opens).to_have_text("2", timeout=15_000)
    assert page.evaluate("window.__notReloaded") is True
    page.wait_for_selector("#feed li.type-open")
    assert page.locator("#feed li.type-open").count() == 2
    page.wait_for_timeout(1500)  # the chart re-reads its data a second after new events
    page.screenshot(path=ARTIFACTS / "dashboard-campaign-live.png", full_page=True)
    page.goto(f"{platform.gateway_url}/dashboard/")
    assert campaign in page.content()
    page.screenshot(path=ARTIFACTS / "dashboard-campaigns.png")
    page.close()


def test_demo_campaign_page_renders_breakdowns_and_chart(
    browser, platform: Platform, operator: Operator, demo_campaign
) -> None:
    page, errors = logged_in_page(browser, platform, operator)
    page.goto(f"{platform.gateway_url}/dashboard/campaigns/{demo_campaign.campaign_id}")
    page.wait_for_selector("#chart canvas")
    assert page.locator('[data-counter="sent"]').inner_text() == "16"
    assert page.locator('[data-counter="opens_proxy"]').inner_text() != "0"
    assert "Apple Mail" in page.content()
    page.screenshot(path=ARTIFACTS / "dashboard-demo-campaign.png", full_page=True)
    assert errors == []
    page.close()


def test_demo_campaign_backfills_activity_lists_messages_and_finds_recipients(
    browser, platform: Platform, operator: Operator, demo_campaign
) -> None:
    page, errors = logged_in_page(browser, platform, operator)
    page.goto(f"{platform.gateway_url}/dashboard/campaigns/{demo_campaign.campaign_id}")
    # the events stored before the page opened show at once (no "Waiting for activity…")
    expect(page.locator("#feed li.type-open").first).to_be_visible(timeout=10_000)
    assert page.locator("#feed li.empty").count() == 0

    page.click("#messages-link")
    rows = page.locator("#messages tbody tr[data-message]")
    expect(rows.first).to_be_visible()
    # one row per message; the CLI tests may have erased one person (a phone reader) already
    listed = rows.count()
    assert len(demo_campaign.recipients) - 1 <= listed <= len(demo_campaign.recipients)
    expect(page.locator("#messages")).to_contain_text("person")
    page.screenshot(path=ARTIFACTS / "dashboard-messages.png", full_page=True)
    with page.expect_download() as download:
        page.click("#messages-csv")
    exported = Path(download.value.path()).read_text()
    assert exported.startswith("message_id,email,status")
    assert len(exported.splitlines()) == listed + 1

    kept = next(r for r in demo_campaign.recipients if r.persona != "phone_reader")
    address = kept.email
    page.click("text=Recipients")
    page.fill("input[name=q]", address.split("@")[0][:3].upper())
    page.click("#recipient-search button")
    expect(page.locator("#recipients")).to_contain_text(address)
    page.select_option("select[name=match]", "contains")
    page.fill("input[name=q]", address.split("@")[1])
    page.click("#recipient-search button")
    expect(page.locator("#recipients")).to_contain_text(address)
    page.click(f"text={address}")
    expect(page.locator("main")).to_contain_text("Opens · total (human)")
    page.screenshot(path=ARTIFACTS / "dashboard-recipient.png", full_page=True)
    assert errors == []
    page.close()
