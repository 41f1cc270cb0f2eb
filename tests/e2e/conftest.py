"""The whole platform as real processes, started once for the end-to-end tests."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emailtrack.common.grpc_server import client_channel
from emailtrack.demo.plan import Plan, make_plan
from emailtrack.demo.run import DemoRunner, Targets
from emailtrack.platform.supervisor import Platform
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc
from gateway.config import parse_api_tokens, parse_dashboard_users
from tests.conftest import running_platform


@pytest.fixture(scope="session")
def platform(scratch_dir: Path) -> Iterator[Platform]:
    with running_platform(scratch_dir / "platform") as running:
        yield running


@dataclass(frozen=True)
class Operator:
    """The dashboard login and API token the platform's gateway was started with."""

    user: str
    password: str
    tenant: str
    api_token: str


@pytest.fixture(scope="session")
def operator(platform: Platform) -> Operator:
    user = parse_dashboard_users(platform.operator_env["EMAILTRACK_DASHBOARD_USERS"].split(","))[0]
    token, tenant = parse_api_tokens(platform.operator_env["EMAILTRACK_API_TOKENS"].split(","))[0]
    assert tenant == user.tenant_id
    return Operator(user.name, user.password, user.tenant_id, token)


def service_addresses(platform: Platform) -> dict[str, str]:
    return {
        name: f"127.0.0.1:{platform.ports[name]}"
        for name in ("tracking-edge", "recipient", "bounce", "analytics")
    }


@pytest.fixture(scope="session")
def demo_campaign(platform: Platform, operator: Operator) -> Plan:
    """A small demo campaign played through the stack (no pauses), fully counted."""
    plan = make_plan(f"e2e-demo-{uuid.uuid4().hex[:6]}", 16, 0, seed=3)
    found = service_addresses(platform)
    targets = Targets(
        found["tracking-edge"], found["recipient"], found["bounce"], api_key=platform.admin_key
    )
    runner = DemoRunner(plan, operator.tenant, targets)
    runner.send()
    runner.fire()
    # Reloads within the duplicate window are stored but left out of totals (docs/analytics.md),
    # so the figure to wait for is the recipients who opened.
    openers = len({hit.email for hit in plan.hits if hit.kind == "open"})
    request = analytics_pb2.GetCampaignStatsRequest(
        tenant_id=operator.tenant, campaign_id=plan.campaign_id
    )
    deadline = time.monotonic() + 30
    with client_channel(found["analytics"], api_key=platform.admin_key) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        while True:
            stats = stub.GetCampaignStats(request).stats
            done = stats.opens.unique.total == openers and stats.hard_bounced == 1
            if done and stats.sent == 16 and stats.unsubscribes >= 1:
                return plan
            assert time.monotonic() < deadline, f"demo not counted in time: {stats}"
            time.sleep(0.2)


def logged_in_page(browser: Any, platform: Platform, operator: Operator) -> tuple[Any, list[str]]:
    """A 1280 by 1000 browser page logged in to the dashboard, and the list its page errors
    (uncaught script exceptions) are collected in."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{platform.gateway_url}/dashboard/login")
    page.fill("input[name=username]", operator.user)
    page.fill("input[name=password]", operator.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
    return page, errors
