"""The REST campaign and message lifecycle against the real services: create a campaign,
register messages, mark them sent / delivered / deferred / failed, read them back in the
per-message list, delete the campaign; the services' own validation (400), unknown message
(404), forbidden transition (409) and key scopes (403 for a read-only key) come through."""

from __future__ import annotations

import uuid

import httpx2
import pytest

from emailtrack.platform.supervisor import Platform
from tests.e2e.conftest import Operator

pytestmark = pytest.mark.e2e


@pytest.fixture
def api(platform: Platform, operator: Operator) -> httpx2.Client:
    headers = {"Authorization": f"Bearer {operator.api_token}"}
    return httpx2.Client(base_url=f"{platform.gateway_url}/api/v1", headers=headers, timeout=10)


def _ok(reply: httpx2.Response) -> dict:
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_campaign_and_message_lifecycle_over_rest(api: httpx2.Client) -> None:
    campaign = f"rest-{uuid.uuid4().hex[:8]}"
    created = _ok(
        api.post(
            "/campaigns",
            json={"campaign_id": campaign, "name": "REST", "variants": [{"variant_id": "A"}]},
        )
    )
    assert created["status"] == "draft"
    assert _ok(api.post("/campaigns", json={"campaign_id": campaign, "name": "REST"}))
    a, b, c = (f"{name}-{campaign}@example.com" for name in ("ann", "ben", "cat"))
    registered = _ok(
        api.post(
            f"/campaigns/{campaign}/messages",
            json={
                "messages": [
                    {"message_id": f"{campaign}-1", "recipients": [a, {"email": b, "role": "cc"}]},
                    {"message_id": f"{campaign}-2", "recipients": [c], "variant": "A"},
                ]
            },
        )
    )
    assert registered == {"messages": 2, "recipients": 3}
    first, second = f"/messages/{campaign}-1", f"/messages/{campaign}-2"
    assert _ok(api.post(f"{first}/sent", json={"emails": [a, b]}))["updated"] == 2
    assert _ok(api.post(f"{first}/delivered", json={"emails": [a]}))["updated"] == 1
    failed = api.post(
        f"{first}/failed",
        json={"emails": [b], "reason": "550 5.1.1 no such user", "bounce_type": "hard"},
    )
    assert _ok(failed)["status"] == "failed"
    assert _ok(api.post(f"{second}/deferred", json={"emails": [c], "reason": "greylisted"}))
    refused = api.post(f"{first}/deferred", json={"emails": [a]})
    assert (
        refused.status_code == 409 and "cannot mark deferred" in refused.json()["error"]["message"]
    )
    invalid = api.post(f"{first}/sent", json={"emails": ["not an address"]})
    assert invalid.status_code == 400 and invalid.json()["error"]["code"] == "invalid_argument"
    missing = api.post("/messages/never-registered/sent", json={"emails": [a]})
    assert missing.status_code == 404
    rows = {r["email"]: r for r in _ok(api.get(f"/campaigns/{campaign}/messages"))["messages"]}
    assert (rows[a]["status"], rows[b]["status"], rows[c]["status"]) == (
        "delivered",
        "bounced",
        "deferred",
    )
    assert rows[b]["reason"] == "550 5.1.1 no such user" and rows[c]["reason"] == "greylisted"
    assert rows[c]["variant"] == "A"
    deleted = _ok(api.delete(f"/campaigns/{campaign}"))
    assert deleted == {"campaign_id": campaign, "messages_deleted": 2}
    assert api.get(f"/campaigns/{campaign}/definition").status_code == 404


def test_a_read_only_key_cannot_write(platform: Platform, api: httpx2.Client) -> None:
    made = api.post("/keys", json={"scopes": ["read"], "name": "e2e read-only"})
    assert made.status_code == 201, made.text
    reader = httpx2.Client(
        base_url=f"{platform.gateway_url}/api/v1",
        headers={"Authorization": f"Bearer {made.json()['secret']}"},
        timeout=10,
    )
    assert reader.get("/campaigns").status_code == 200
    refused = reader.post("/campaigns", json={"campaign_id": "nope", "name": "No"})
    assert refused.status_code == 403, refused.text
    assert reader.post("/messages/m/sent", json={"emails": ["a@example.com"]}).status_code == 403
