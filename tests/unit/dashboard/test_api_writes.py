"""REST writes over the fake services: a campaign created and deleted through CampaignService
(the body's fields reach it as given, its refusals come back as 400/409); a body of the wrong
shape is 422 naming the field, before any call. Registrations and marks against the real
recipient service: tests/e2e/test_api_writes.py."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from emailtrack.v1 import campaign_pb2, recipient_pb2
from tests.unit.cli.fake_services import FakeStack


def test_create_and_delete_a_campaign(api: TestClient, stack: FakeStack) -> None:
    body = {
        "campaign_id": "autumn-rest",
        "name": "Autumn",
        "tags": ["seasonal"],
        "steps": [{"step_id": "intro", "delay_hours": 0}, {"step_id": "nudge", "delay_hours": 48}],
        "variants": [{"variant_id": "A", "weight": 1}, {"variant_id": "B", "weight": 1}],
    }
    created = api.post("/api/v1/campaigns", json=body)
    assert created.status_code == 200, created.text
    assert (created.json()["status"], created.json()["tags"]) == ("draft", ["seasonal"])
    asked = stack.requests_of(campaign_pb2.CreateCampaignRequest)[-1]
    assert asked.tenant_id == "acme" and [s.delay_hours for s in asked.steps] == [0, 48]
    assert api.get("/api/v1/campaigns/autumn-rest/definition").json()["name"] == "Autumn"
    deleted = api.delete("/api/v1/campaigns/autumn-rest")
    assert deleted.status_code == 200 and deleted.json()["campaign_id"] == "autumn-rest"
    again = api.post("/api/v1/campaigns", json=body)
    assert again.status_code == 409  # ids are never reused
    nameless = api.post("/api/v1/campaigns", json={"campaign_id": "x"})
    assert nameless.status_code == 400 and "name is required" in nameless.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "body", "parameter"),
    [
        ("/campaigns", {"campaign_id": "c", "colour": "red"}, "colour"),
        ("/campaigns", {"campaign_id": 7}, "campaign_id"),
        ("/campaigns", {"campaign_id": "c", "tags": "x"}, "tags"),
        (
            "/campaigns",
            {"campaign_id": "c", "steps": [{"delay_hours": -1}]},
            "steps[0].delay_hours",
        ),
        ("/campaigns", {"campaign_id": "c", "variants": [{"weight": True}]}, "variants[0].weight"),
        ("/campaigns/c/messages", {"messages": []}, "messages"),
        (
            "/campaigns/c/messages",
            {"messages": [{"message_id": "m", "recipients": [1]}]},
            "messages[0].recipients[0]",
        ),
        (
            "/campaigns/c/messages",
            {"messages": [{"message_id": "m", "recipients": [{"email": "a@x.io", "role": "to2"}]}]},
            "messages[0].recipients[0].role",
        ),
        ("/messages/m1/sent", {"emails": ["a@x.io"], "reason": "why"}, "reason"),
        ("/messages/m1/failed", {"emails": ["a@x.io"], "bounce_type": "medium"}, "bounce_type"),
        ("/messages/m1/delivered", {"emails": "a@x.io"}, "emails"),
    ],
)
def test_bodies_of_the_wrong_shape_are_422(
    api: TestClient, stack: FakeStack, path: str, body: dict, parameter: str
) -> None:
    reply = api.post(f"/api/v1{path}", json=body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["parameter"] == parameter
    assert not stack.requests_of(recipient_pb2.RegisterMessagesRequest)


def test_not_json_and_unknown_marks(api: TestClient) -> None:
    garbled = api.post(
        "/api/v1/campaigns", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert garbled.status_code == 422 and garbled.json()["error"]["parameter"] == "body"
    assert api.post("/api/v1/messages/m1/opened", json={"emails": []}).status_code in (404, 405)
    assert (
        api.post("/api/v1/campaigns", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
