"""An unknown campaign (no definition in CampaignService, no event in analytics) is a 404 with
a JSON error on every campaign route of the JSON API; a campaign defined but not yet sent, or
one with events but no definition, is served."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from emailtrack.v1 import campaign_pb2
from tests.unit.cli.fake_services import TENANT, FakeStack

CAMPAIGN_ROUTES = (
    "",
    "/timeline",
    "/links",
    "/breakdowns/country",
    "/export.csv",
    "/definition",
    "/segments",
    "/variants",
)


@pytest.mark.parametrize("route", CAMPAIGN_ROUTES)
def test_unknown_campaign_is_404_with_a_json_error(api: TestClient, route: str) -> None:
    reply = api.get(f"/api/v1/campaigns/never-made{route}")
    assert reply.status_code == 404, reply.text
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["error"]["code"] == "not_found"
    assert "never-made" in reply.json()["error"]["message"]


@pytest.mark.parametrize("route", ("", "/timeline", "/links", "/export.csv"))
def test_a_campaign_with_events_but_no_definition_is_served(api: TestClient, route: str) -> None:
    assert api.get(f"/api/v1/campaigns/undefined-with-events{route}").status_code == 200


def test_a_defined_campaign_without_events_is_served_with_zeros(
    api: TestClient, stack: FakeStack
) -> None:
    # "never-" ids have no event in the fake analytics
    stack.campaigns.campaigns["never-sent"] = campaign_pb2.Campaign(
        tenant_id=TENANT, campaign_id="never-sent", name="Later"
    )
    try:
        reply = api.get("/api/v1/campaigns/never-sent")
        assert reply.status_code == 200, reply.text
        assert (reply.json()["sent"], reply.json()["first_event_at"]) == (0, None)
    finally:
        del stack.campaigns.campaigns["never-sent"]


def test_bad_parameters_are_checked_before_existence(api: TestClient) -> None:
    reply = api.get("/api/v1/campaigns/never-made/breakdowns/planet")
    assert reply.status_code == 422
    assert reply.json()["error"]["parameter"] == "dimension"
