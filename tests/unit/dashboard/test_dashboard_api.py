"""The JSON API in-process against fake services: auth and tenant scoping, shapes, bad
parameters (422 naming the parameter), service refusals (400/404/409), CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from emailtrack.presentation.views import TIMELINE_CSV_COLUMNS
from emailtrack.v1 import analytics_pb2, recipient_pb2
from gateway.operator.api.routes import api_app
from tests.unit.cli.fake_services import TENANT, FakeStack
from tests.unit.dashboard.conftest import OTHER_TOKEN


def test_requests_without_a_valid_token_are_refused(client: TestClient) -> None:
    assert client.get("/api/v1/campaigns").status_code == 401
    reply = client.get("/api/v1/campaigns", headers={"Authorization": "Bearer nope"})
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == "Bearer"
    assert reply.json()["error"]["code"] == "unauthorized"


def test_tenant_comes_from_the_token_never_from_parameters(
    client: TestClient, stack: FakeStack
) -> None:
    reply = client.get(
        "/api/v1/campaigns/spring?tenant_id=acme",
        headers={"Authorization": f"Bearer {OTHER_TOKEN}"},
    )
    assert reply.status_code == 422
    assert reply.json()["error"]["parameter"] == "tenant_id"
    reply = client.get(
        "/api/v1/campaigns/spring", headers={"Authorization": f"Bearer {OTHER_TOKEN}"}
    )
    assert reply.status_code == 404
    assert stack.requests_of(analytics_pb2.GetCampaignStatsRequest)[-1].tenant_id == "other"


def test_campaign_list_and_stats(api: TestClient, stack: FakeStack) -> None:
    listed = api.get("/api/v1/campaigns", params={"page_size": 2}).json()
    assert [c["campaign_id"] for c in listed["campaigns"]] == ["spring", "summer"]
    assert listed["next_page_token"] == "p2"
    assert stack.requests_of(analytics_pb2.ListCampaignsRequest)[-1].page_size == 2
    second = api.get("/api/v1/campaigns", params={"page_token": "p2"}).json()
    assert second == {"campaigns": [second["campaigns"][0]], "next_page_token": None}
    stats = api.get("/api/v1/campaigns/spring").json()
    assert stats["opens"]["total"] == {
        "human": 3,
        "privacy_proxy": 1,
        "security_scanner": 1,
        "bot": 0,
        "unclassified": 0,
        "total": 5,
    }
    assert stats["rates"]["mpp_adjusted_open"] == 0.25
    assert stats["first_event_at"] == "2026-11-02T09:00:00.000Z"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/campaigns?page_size=0", "page_size"),
        ("/api/v1/campaigns?page_size=ten", "page_size"),
        ("/api/v1/campaigns/spring/timeline?bucket=week", "bucket"),
        ("/api/v1/campaigns/spring/timeline?time_zone=Mars/Olympus", "time_zone"),
        ("/api/v1/campaigns/spring/timeline?time_zone=localtime", "time_zone"),
        ("/api/v1/campaigns/spring/export.csv?time_zone=localtime", "time_zone"),
        ("/api/v1/campaigns/spring/timeline?start=yesterday", "start"),
        ("/api/v1/campaigns/spring/timeline?start=0001-01-01T00:00:00", "start"),
        ("/api/v1/campaigns/spring/links?limit=5000", "limit"),
        ("/api/v1/campaigns/spring/breakdowns/planet", "dimension"),
        ("/api/v1/campaigns/spring/breakdowns/client?event=bounce", "event"),
        ("/api/v1/campaigns/spring%01x", "campaign_id"),
        ("/api/v1/recipients/not-an-address", "email"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(
    api: TestClient, path: str, parameter: str
) -> None:
    reply = api.get(path)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["parameter"] == parameter


def test_service_refusal_is_400_with_its_message(api: TestClient) -> None:
    reply = api.get("/api/v1/campaigns", params={"page_token": "bad"})
    assert reply.status_code == 400
    assert reply.json()["error"] == {"code": "invalid_argument", "message": "invalid page token"}


def test_timeline_links_and_breakdowns(api: TestClient, stack: FakeStack) -> None:
    points = api.get(
        "/api/v1/campaigns/spring/timeline",
        params={"bucket": "minute", "time_zone": "Europe/Paris", "start": "2026-11-02T00:00:00Z"},
    ).json()["points"]
    assert [p["opens"]["human"] for p in points] == [1, 2, 3]
    sent = stack.requests_of(analytics_pb2.GetTimelineRequest)[-1]
    assert (sent.bucket, sent.time_zone) == (analytics_pb2.TIME_BUCKET_MINUTE, "Europe/Paris")
    links = api.get("/api/v1/campaigns/spring/links").json()["links"]
    assert links[0]["url"] == "https://example.com/offer"
    rows = api.get("/api/v1/campaigns/spring/breakdowns/device?event=click").json()["rows"]
    assert rows[0] == {"value": "Apple Mail", "count": 3, "share": 0.75}
    sent_breakdown = stack.requests_of(analytics_pb2.GetBreakdownRequest)[-1]
    assert sent_breakdown.dimension == analytics_pb2.BREAKDOWN_DIMENSION_DEVICE


def test_csv_export_streams_every_bucket(api: TestClient) -> None:
    reply = api.get("/api/v1/campaigns/spring/export.csv", params={"time_zone": "Asia/Kolkata"})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/csv")
    assert 'filename="spring-hour.csv"' in reply.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert tuple(rows[0]) == TIMELINE_CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == [
        "2026-11-02T09:00:00.000Z",
        "2026-11-02T10:00:00.000Z",
        "2026-11-02T11:00:00.000Z",
    ]


def test_recipient_view_and_state_changes(api: TestClient, stack: FakeStack) -> None:
    view = api.get("/api/v1/recipients/ada@example.com").json()
    assert view["status"] == "active"
    assert view["engagement"]["opens"] == 4
    assert api.get("/api/v1/recipients/bob@example.com").status_code == 404
    reply = api.put("/api/v1/recipients/ada@example.com/suppression", json={"reason": "asked"})
    assert reply.json()["status"] == "suppressed"
    suppress = stack.requests_of(recipient_pb2.SuppressRequest)[-1]
    assert (suppress.tenant_id, suppress.reason, suppress.actor) == (TENANT, "asked", "api")
    assert api.delete("/api/v1/recipients/ada@example.com/suppression").json()["status"] == "active"
    conflict = api.delete("/api/v1/recipients/ada@example.com/suppression")
    assert conflict.status_code == 409
    reply = api.post("/api/v1/recipients/ada@example.com/unsubscribe", json={"list_id": "news"})
    assert reply.json()["status"] == "unsubscribed"
    assert stack.requests_of(recipient_pb2.UnsubscribeRequest)[-1].list_id == "news"
    stack.recipients.people["ada@example.com"].status = recipient_pb2.RECIPIENT_STATUS_ACTIVE


@pytest.mark.parametrize(
    ("body", "parameter"),
    [(b"[1]", "body"), (b"{", "body"), (b'{"why": "x"}', "why"), (b'{"reason": 3}', "reason")],
)
def test_bad_bodies_are_422(api: TestClient, body: bytes, parameter: str) -> None:
    reply = api.put("/api/v1/recipients/ada@example.com/suppression", content=body)
    assert reply.status_code == 422
    assert reply.json()["error"]["parameter"] == parameter


def test_health_needs_no_token_and_reports_each_service(client: TestClient) -> None:
    reply = client.get("/api/v1/health").json()
    assert reply["status"] == "ok"
    assert set(reply["services"]) == {
        "analytics",
        "recipient",
        "tracking_edge",
        "bounce",
        "webhooks",
    }


def test_every_route_is_in_the_openapi_document(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = set()
    for route in api_app(client.app.gateway.settings.operators, None).routes:  # type: ignore[attr-defined, arg-type]  # the TestClient's app is the gateway's
        assert isinstance(route, Route) and route.methods is not None
        if route.path == "/openapi.json":
            continue
        served |= {(route.path, m) for m in route.methods - {"HEAD"}}
    assert served == documented
