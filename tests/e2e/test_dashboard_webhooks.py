"""The Webhooks page in Debian's Chromium (through Playwright) against the running stack:
add an endpoint (its secret shown once), see it listed, disable and re-enable it, edit its
filter, open its delivery log, delete it. Screenshots go to test-artifacts/. (The notice of an
endpoint the service disabled after failing needs days of failures: the in-process test
tests/integration/test_webhooks_management.py covers it.)"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from emailtrack.platform.supervisor import Platform
from tests.e2e import test_dashboard_live
from tests.e2e.conftest import Operator, logged_in_page

pytestmark = pytest.mark.e2e
ARTIFACTS = test_dashboard_live.ARTIFACTS
browser = test_dashboard_live.browser  # the same headless Chromium fixture


def test_webhooks_page_manages_an_endpoint(browser, platform: Platform, operator: Operator) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors = logged_in_page(browser, platform, operator)
    page.click("nav >> text=Webhooks")
    page.wait_for_url("**/dashboard/webhooks")
    name = f"CRM {uuid.uuid4().hex[:6]}"
    form = page.locator("#webhook-new")
    form.locator("input[name=url]").fill("https://crm.example.com/hooks/emailtrack")
    form.locator("input[name=events]").fill("bounced:hard, complained")
    form.locator("input[name=description]").fill(name)
    form.locator("button[type=submit]").click()
    secret = page.locator("[data-secret]")
    expect(secret).to_contain_text("whsec_")
    page.screenshot(path=ARTIFACTS / "dashboard-webhooks-created.png", full_page=True)
    row = page.locator("tr[data-endpoint]", has_text=name)
    expect(row).to_contain_text("bounced:hard, complained")
    row.locator("button[data-action=disable]").click()
    row = page.locator("tr[data-endpoint]", has_text=name)
    expect(row.locator(".badge")).to_have_text("disabled")
    assert page.locator("[data-secret]").count() == 0  # shown once, never again
    row.locator("button[data-action=enable]").click()
    row = page.locator("tr[data-endpoint]", has_text=name)
    expect(row.locator(".badge")).to_have_text("enabled")
    row.locator("input[name=events]").fill("opened:human")
    row.locator("form", has_text="Save").locator("button").click()
    row = page.locator("tr[data-endpoint]", has_text=name)
    expect(row).to_contain_text("opened:human")
    row.locator("text=Delivery log").click()
    page.wait_for_url("**/deliveries")
    expect(page.locator("h1")).to_contain_text(name)
    page.click("text=all endpoints")
    page.locator("tr[data-endpoint]", has_text=name).locator("button[data-action=delete]").click()
    expect(page.locator("tr[data-endpoint]", has_text=name)).to_have_count(0)
    assert errors == []
    page.close()
