"""``/api/v1/campaigns/{id}/messages`` (JSON pages) and ``messages.csv`` (every row,
streamed) over the fake services; their OpenAPI schema names the CSV's columns."""

from __future__ import annotations

import csv
import io

from starlette.testclient import TestClient

from emailtrack.presentation.message_views import MESSAGE_COLUMNS
from emailtrack.v1 import recipient_pb2
from gateway.operator.api.openapi import openapi_document
from tests.unit.cli.fake_services import FakeStack


def test_pages_follow_the_next_page_token(api: TestClient) -> None:
    first = api.get("/api/v1/campaigns/spring/messages", params={"page_size": 2})
    assert first.status_code == 200, first.text
    page = first.json()
    assert [(r["message_id"], r["status"]) for r in page["messages"]] == [
        ("m1", "delivered"),
        ("m2", "bounced"),
    ]
    assert page["messages"][0]["first_click_at"] == "2026-11-02T09:02:00.000Z"
    assert page["messages"][0]["clicked_by_machine"] is True
    assert page["messages"][1]["reason"] == "=550 user unknown"  # JSON carries it as given
    rest = api.get(
        "/api/v1/campaigns/spring/messages", params={"page_token": page["next_page_token"]}
    ).json()
    assert [r["email"] for r in rest["messages"]] == ["cy@example.com"]
    assert rest["next_page_token"] is None


def test_csv_streams_every_row(api: TestClient, stack: FakeStack) -> None:
    reply = api.get("/api/v1/campaigns/spring/messages.csv")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/csv")
    assert 'filename="spring-messages.csv"' in reply.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [r["email"] for r in rows] == ["ada@example.com", "bob@example.com", "cy@example.com"]
    assert rows[1]["reason"] == "'=550 user unknown"
    asked = stack.requests_of(recipient_pb2.ListCampaignMessagesRequest)
    assert asked[-1].page_size == 500


def test_unknown_campaign_and_bad_parameters(api: TestClient) -> None:
    for path in ("messages", "messages.csv"):
        missing = api.get(f"/api/v1/campaigns/never-made/{path}")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        # registered under a plain id (no definition, no event yet): listed
        assert api.get(f"/api/v1/campaigns/never-defined-registered/{path}").status_code == 200
    too_big = api.get("/api/v1/campaigns/spring/messages", params={"page_size": 501})
    assert too_big.status_code == 422 and too_big.json()["error"]["parameter"] == "page_size"
    typo = api.get("/api/v1/campaigns/spring/messages", params={"pagesize": 5})
    assert typo.status_code == 422


def test_the_json_row_schema_is_the_csv_columns() -> None:
    schema = openapi_document()["components"]["schemas"]["CampaignMessage"]
    assert tuple(schema["properties"]) == MESSAGE_COLUMNS == tuple(schema["required"])
