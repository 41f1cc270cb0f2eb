"""The whole demo flow (campaign with two steps and variants A/B, two sending mailboxes,
hits, replies, an out-of-office auto-reply, warmup, draft → completed) through the real
services, then Debian's Chromium through Playwright: the campaign page shows the steps, the
variants with the significance verdict and p-value, the replies; the mailboxes page shows
health scores and warmup apart. Screenshots go to test-artifacts/."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from emailtrack.common.grpc_server import client_channel
from emailtrack.demo.plan import MAILBOXES, WARMUP_MAILBOX, Plan, make_plan
from emailtrack.demo.run import DemoRunner, Targets
from emailtrack.platform.supervisor import Platform
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc
from tests.e2e import test_dashboard_live
from tests.e2e.conftest import Operator, logged_in_page, service_addresses

pytestmark = pytest.mark.e2e
ARTIFACTS = test_dashboard_live.ARTIFACTS
browser = test_dashboard_live.browser  # the same headless Chromium fixture


@pytest.fixture(scope="module")
def ab_campaign(platform: Platform, operator: Operator) -> Iterator[tuple[Plan, DemoRunner]]:
    """The demo's default volume and seed (40 messages, B significantly better on clicks),
    played without pauses and counted by analytics."""
    plan = make_plan(f"ab-{uuid.uuid4().hex[:6]}", 40, 0, seed=7)
    found = service_addresses(platform)
    runner = DemoRunner(
        plan,
        operator.tenant,
        Targets(
            found["tracking-edge"], found["recipient"], found["bounce"], api_key=platform.admin_key
        ),
    )
    runner.send()
    runner.fire()
    runner.finish()
    repliers = len(plan.repliers())
    stats_request = analytics_pb2.GetCampaignStatsRequest(
        tenant_id=operator.tenant, campaign_id=plan.campaign_id
    )
    warmup_request = analytics_pb2.GetWarmupStatsRequest(
        tenant_id=operator.tenant, mailbox=WARMUP_MAILBOX, days=2
    )
    clicks = {h.email for h in plan.hits if h.kind == "click"}
    deadline = time.monotonic() + 30
    with client_channel(found["analytics"], api_key=platform.admin_key) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        while True:
            stats = stub.GetCampaignStats(stats_request).stats
            warmup = stub.GetWarmupStats(warmup_request).days
            counted = stats.unique_replies == repliers and stats.clicks.unique.total == len(clicks)
            if counted and stats.sent == 40 and sum(d.sent for d in warmup) >= 3:
                break
            assert time.monotonic() < deadline, f"demo not counted in time: {stats}"
            time.sleep(0.2)
    yield plan, runner


def test_demo_flow_counts_replies_not_auto_replies(ab_campaign) -> None:
    _, runner = ab_campaign
    assert runner.counts["replies"] == 3 and runner.counts["auto_replies"] == 1
    assert runner.counts["warmup_interactions"] == 6
    assert runner.status == "completed"


def test_campaign_page_shows_steps_variants_verdict_and_replies(
    browser, platform: Platform, operator: Operator, ab_campaign
) -> None:
    plan, _ = ab_campaign
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors = logged_in_page(browser, platform, operator)
    page.goto(f"{platform.gateway_url}/dashboard/campaigns/{plan.campaign_id}")
    expect(page.locator("#campaign-status")).to_have_text("completed")
    steps = page.locator("#steps")
    expect(steps).to_contain_text("intro")
    expect(steps).to_contain_text("follow-up")
    expect(page.locator("#variants")).to_contain_text("20% off this week only")
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("Variant B's click rate is higher than A's")
    expect(verdict).to_contain_text("significant at 95%")
    assert float(verdict.locator("[data-p-value]").inner_text()) < 0.05
    expect(page.locator('[data-counter="unique_replies"]')).to_have_text("3")
    expect(page.locator("#first-reply strong")).not_to_have_text("—")
    page.screenshot(path=ARTIFACTS / "dashboard-campaign-variants.png", full_page=True)

    page.click("text=Mailboxes")
    page.wait_for_url("**/dashboard/mailboxes")
    for address in MAILBOXES:
        row = page.locator(f'tr[data-mailbox="{address}"]')
        score = int(row.locator("[data-health]").inner_text())
        assert 0 <= score <= 100
    expect(page.locator("#warmup")).to_contain_text(WARMUP_MAILBOX)
    page.screenshot(path=ARTIFACTS / "dashboard-mailboxes.png", full_page=True)
    assert errors == []
    page.close()
