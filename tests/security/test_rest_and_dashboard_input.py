"""Findings "campaign id containing / → every dashboard visit 500s", "10 KB nested JSON to
/api/v1 → 500 text/plain" and "login reads the whole body first": the gateway's operator
side against the real recipient and analytics services."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from emailtrack.v1 import events_pb2
from gateway.asgi import build_gateway
from services.analytics.codec import EventRow
from tests.security.gateway_app import (
    API_TOKEN,
    TENANT,
    BodyFeed,
    gateway_settings,
    log_in,
    post_endless_body,
)
from tests.security.real_services import Stubs, serve_real_services

pytestmark = pytest.mark.integration
SLASHED = "spring/2026"
BEARER = f"Bearer {API_TOKEN}"


@pytest.fixture(scope="module")
def services(postgres_url: str) -> Iterator[Stubs]:
    found = serve_real_services(postgres_url)
    stubs = next(found)
    opened = EventRow(
        "sec-open-1",
        events_pb2.EVENT_TYPE_EMAIL_OPEN,
        datetime.now(UTC),
        TENANT,
        SLASHED,
        "m1",
        "r1",
        source=events_pb2.HIT_SOURCE_HUMAN,
    )
    stubs.analytics_store.ingest([opened])
    yield stubs
    next(found, None)


@pytest.fixture
def client(services: Stubs) -> Iterator[TestClient]:
    settings = gateway_settings(services.recipient_address, services.analytics_address)
    with TestClient(build_gateway(settings, None)) as test_client:
        yield test_client


def test_a_campaign_id_with_a_slash_is_listed_and_opened(client: TestClient) -> None:
    assert log_in(client) == 303
    listing = client.get("/dashboard/")
    assert listing.status_code == 200
    assert "/dashboard/campaigns/spring%2F2026" in listing.text
    page = client.get("/dashboard/campaigns/spring%2F2026")
    assert page.status_code == 200
    assert "spring/2026" in page.text
    timeline = client.get("/dashboard/campaigns/spring%2F2026/timeline.json")
    assert timeline.status_code == 200
    assert sum(timeline.json()["human_opens"]) == 1


def test_the_api_takes_an_encoded_slash_in_a_campaign_id(client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    reply = client.get("/api/v1/campaigns/spring%2F2026", headers=headers)
    assert reply.status_code == 200
    assert reply.json()["campaign_id"] == SLASHED
    literal = client.get("/api/v1/campaigns/a%252Fb", headers=headers)  # the id "a%2Fb"
    # decoded once, not twice: the unknown campaign named is "a%2Fb", not "a/b"
    assert literal.status_code == 404
    assert "'a%2Fb'" in literal.json()["error"]["message"]


def test_deeply_nested_json_is_a_422_json_error(client: TestClient) -> None:
    body = "[" * 5000 + "]" * 5000
    reply = client.post(
        "/api/v1/recipients/ada@example.com/unsubscribe",
        content=body,
        headers={"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"},
    )
    assert reply.status_code == 422
    assert reply.headers["content-type"].startswith("application/json")
    assert "nested" in reply.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/dashboard/login", {}),
        ("/api/v1/recipients/ada@example.com/unsubscribe", {"authorization": BEARER}),
    ],
)
def test_bodies_are_bounded_while_read(services: Stubs, path: str, headers: dict[str, str]) -> None:
    """A body without Content-Length: the app stops pulling it just past its limit."""
    app = build_gateway(
        gateway_settings(services.recipient_address, services.analytics_address), None
    )
    feed = BodyFeed(total=64 * 1024 * 1024)
    asyncio.run(post_endless_body(app, path, feed, **headers))
    assert feed.sent <= 256 * 1024
    assert feed.status in (403, 413, 422)


def test_a_declared_huge_body_is_refused_before_reading(client: TestClient) -> None:
    reply = client.post(
        "/dashboard/login",
        content=b"username=ops",
        headers={"Content-Length": str(300 * 1024 * 1024)},
    )
    assert reply.status_code == 413
