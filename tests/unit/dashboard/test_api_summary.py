"""``GET /api/v1/summary``: the tenant's campaigns added up by analytics, optionally over a
range (passed on as given, UTC when it has no offset); a backwards range is 422."""

from __future__ import annotations

from starlette.testclient import TestClient

from emailtrack.v1 import analytics_pb2
from tests.unit.cli.fake_services import FakeStack


def test_summary_of_every_campaign(api: TestClient) -> None:
    reply = api.get("/api/v1/summary")
    assert reply.status_code == 200, reply.text
    found = reply.json()
    assert (found["campaigns"], found["start"], found["end"]) == (3, None, None)
    assert found["stats"]["sent"] == 30 and found["stats"]["unique_replies"] == 3
    assert found["stats"]["rates"]["reply"] == round(3 / 27, 6)


def test_summary_over_a_range(api: TestClient, stack: FakeStack) -> None:
    reply = api.get(
        "/api/v1/summary", params={"start": "2026-11-01", "end": "2026-12-01T00:00:00+01:00"}
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["start"] == "2026-11-01T00:00:00.000Z"
    assert reply.json()["end"] == "2026-11-30T23:00:00.000Z"
    asked = stack.requests_of(analytics_pb2.GetTenantSummaryRequest)[-1]
    assert asked.tenant_id == "acme" and asked.HasField("start")


def test_bad_ranges_are_422(api: TestClient) -> None:
    backwards = api.get("/api/v1/summary", params={"start": "2026-11-02", "end": "2026-11-01"})
    assert backwards.status_code == 422 and backwards.json()["error"]["parameter"] == "end"
    garbled = api.get("/api/v1/summary", params={"start": "yesterday"})
    assert garbled.status_code == 422 and garbled.json()["error"]["parameter"] == "start"
