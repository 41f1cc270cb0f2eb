"""The API reference page in Debian's Chromium, with the network cut off: every request goes
to the gateway in-process, so the page renders the OpenAPI document from its own assets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Route, expect
from starlette.testclient import TestClient

from gateway.asgi import build_gateway
from tests.e2e.test_dashboard_live import browser  # noqa: F401  (the fixture)
from tests.unit.cli.fake_services import start_fake_stack
from tests.unit.dashboard.conftest import settings_for

pytestmark = pytest.mark.e2e
ORIGIN = "http://gateway.test"


@pytest.fixture(scope="module")
def gateway() -> Iterator[TestClient]:
    for stack in start_fake_stack():  # one stack, stopped when the loop ends
        with TestClient(build_gateway(settings_for(stack), None)) as client:
            yield client


def test_reference_renders_offline_from_the_openapi_document(
    browser: object,  # noqa: F811
    gateway: TestClient,
) -> None:
    asked: list[str] = []

    def answer(route: Route) -> None:
        url = route.request.url
        asked.append(url)
        if not url.startswith(ORIGIN):
            route.abort()  # no CDN, no other host
            return
        reply = gateway.get(url.removeprefix(ORIGIN))
        route.fulfill(status=reply.status_code, headers=dict(reply.headers), body=reply.content)

    page = browser.new_page()  # type: ignore[attr-defined]
    page.route("**/*", answer)
    page.goto(f"{ORIGIN}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("emailtrack", timeout=15_000)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert all(url.startswith(ORIGIN) for url in asked), asked
    page.close()
