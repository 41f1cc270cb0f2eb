"""Campaign sequence / A/B sections, the mailboxes page and the matching JSON API endpoints
in-process against the fake services; the pure helpers behind them."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from emailtrack.presentation import campaign_views
from emailtrack.v1 import analytics_pb2, campaign_pb2
from gateway.operator.dashboard.campaign_sections import segment_rows
from gateway.operator.dashboard.pages import duration
from tests.unit.cli.fake_services import FakeStack
from tests.unit.dashboard.test_dashboard_pages import log_in


def main_of(html: str) -> str:
    return html.split("<main>")[1].split("</main>")[0]


def test_campaign_page_shows_definition_steps_variants_verdict_and_replies(
    client: TestClient, stack: FakeStack
) -> None:
    log_in(client)
    page = client.get("/dashboard/campaigns/spring")
    assert page.status_code == 200
    main = main_of(page.text)
    assert "Spring launch" in main and 'id="campaign-status">sending<' in main
    assert "Introduction" in main and "+72 h" in main
    assert "Subject: 20% off this week" in main
    assert "Variant B&#39;s click rate is higher than A&#39;s (p=0.000321)" in main
    assert "<span data-p-value>0.000321</span>" in main
    assert 'data-counter="unique_replies">0<' in main and 'data-rate="reply"' in main
    dimensions = {r.dimension for r in stack.requests_of(analytics_pb2.GetSegmentStatsRequest)}
    assert dimensions == {
        analytics_pb2.SEGMENT_DIMENSION_SEQUENCE_STEP,
        analytics_pb2.SEGMENT_DIMENSION_VARIANT,
    }


def test_a_campaign_never_defined_still_shows_its_segments(client: TestClient) -> None:
    log_in(client)
    main = main_of(client.get("/dashboard/campaigns/legacy").text)
    assert "legacy" in main and "campaign-status" not in main
    assert "Sequence steps" in main and "follow-up" in main  # segments from analytics


def test_mailboxes_page_shows_health_and_warmup_apart(client: TestClient, stack: FakeStack) -> None:
    log_in(client)
    page = client.get("/dashboard/mailboxes")
    assert page.status_code == 200
    main = main_of(page.text)
    assert 'class="health health-good" data-health>88<' in main
    assert 'class="health health-critical" data-health>40<' in main
    assert "not registered" in main and "not computed yet" in main
    warmup = main.split('id="warmup"')[1]
    assert "sales@sender.example" in warmup and "<td>11</td>" in warmup  # 5 + 6 sent
    asked = stack.requests_of(analytics_pb2.GetWarmupStatsRequest)
    assert [r.mailbox for r in asked] == ["sales@sender.example"]  # warmup enabled only


def test_mailboxes_page_needs_a_login(client: TestClient) -> None:
    assert client.get("/dashboard/mailboxes", follow_redirects=False).status_code == 303


def test_api_definition_segments_and_variants(api: TestClient, stack: FakeStack) -> None:
    found = api.get("/api/v1/campaigns/spring/definition").json()
    assert found["status"] == "sending" and found["variants"][1]["variant_id"] == "B"
    assert api.get("/api/v1/campaigns/nope/definition").status_code == 404
    segments = api.get("/api/v1/campaigns/spring/segments", params={"dimension": "variant"})
    assert [s["variant"] for s in segments.json()["segments"]] == ["A", "B"]
    assert segments.json()["segments"][1]["stats"]["unique_replies"] == 2
    bad = api.get("/api/v1/campaigns/spring/segments", params={"dimension": "colour"})
    assert bad.status_code == 422 and bad.json()["error"]["parameter"] == "dimension"
    compared = api.get(
        "/api/v1/campaigns/spring/variants",
        params={"sequence_step": "intro", "baseline": "A", "alpha": "0.01"},
    ).json()
    assert compared["comparisons"][1]["significant"] is True
    sent = stack.requests_of(analytics_pb2.GetVariantComparisonRequest)[-1]
    assert (sent.sequence_step, sent.baseline_variant, sent.alpha) == ("intro", "A", 0.01)


@pytest.mark.parametrize("alpha", ["0", "5e-324", "0.5", "nan", "x", "-1"])
def test_api_rejects_a_bad_alpha(api: TestClient, alpha: str) -> None:
    reply = api.get("/api/v1/campaigns/spring/variants", params={"alpha": alpha})
    assert reply.status_code == 422 and reply.json()["error"]["parameter"] == "alpha"


def test_api_mailboxes_warmup_and_usage(api: TestClient, stack: FakeStack) -> None:
    rows = api.get("/api/v1/mailboxes").json()["mailboxes"]
    assert [r["address"] for r in rows] == [
        "idle@other.example",
        "old@sender.example",
        "sales@sender.example",
    ]
    assert rows[2]["health_score"] == 88 and rows[2]["registered"]
    assert rows[0]["stats"] is None and rows[0]["health_score"] is None
    warmup = api.get("/api/v1/mailboxes/Sales@sender.example/warmup", params={"days": 7}).json()
    assert warmup["mailbox"] == "sales@sender.example" and warmup["totals"]["sent"] == 11
    assert api.get("/api/v1/mailboxes/x/warmup").status_code == 422
    assert api.get("/api/v1/mailboxes/a@b.example/warmup?days=0").status_code == 422
    assert api.get("/api/v1/usage", params={"period": "2026-10"}).json()["emails_sent"] == 38
    for period in ("2026-13", "0000-01", "2026-1", "2026-10\n"):
        assert api.get("/api/v1/usage", params={"period": period}).status_code == 422
    assert api.get("/api/v1/usage", params={"tenant_id": "other"}).status_code == 422


def test_api_campaign_endpoints_are_tenant_scoped(client: TestClient) -> None:
    client.headers["Authorization"] = "Bearer " + "o" * 24
    assert client.get("/api/v1/campaigns/spring/definition").status_code == 404
    assert client.get("/api/v1/usage").status_code == 404
    assert client.get("/api/v1/mailboxes", headers={"Authorization": ""}).status_code == 401


def test_segment_rows_follow_the_definition_then_the_rest() -> None:
    defined = [{"step_id": "intro", "name": "Intro"}, {"step_id": "later", "name": "Later"}]
    segments = [
        {"sequence_step": "", "stats": {"sent": 1}},
        {"sequence_step": "intro", "stats": {"sent": 5}},
    ]
    rows = segment_rows(defined, "step_id", segments, "sequence_step")
    assert [(r["id"], r["stats"]) for r in rows] == [
        ("intro", {"sent": 5}),
        ("later", None),
        ("", {"sent": 1}),
    ]


def test_mailbox_rows_prefer_live_health_over_the_stored_score() -> None:
    stored = campaign_pb2.Mailbox(address="a@x.example", health_score=95, health_band="good")
    never = campaign_pb2.Mailbox(address="b@x.example", health_score=-1)
    live = analytics_pb2.MailboxStats(mailbox="a@x.example", health_score=60, health_band="warning")
    rows = campaign_views.mailbox_rows([never, stored], [live])
    assert [(r["address"], r["health_score"], r["health_band"]) for r in rows] == [
        ("a@x.example", 60, "warning"),
        ("b@x.example", None, None),
    ]


def test_headline_is_the_click_comparison() -> None:
    assert campaign_views.headline({"comparisons": []}) is None
    found = {"comparisons": [{"metric": "open"}, {"metric": "click"}]}
    assert campaign_views.headline(found) == {"metric": "click"}


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "—"), (42, "42 s"), (600, "10 min"), (5400, "1.5 h"), (36000, "10 h"), (90000, "1.0 d")],
)
def test_duration(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown


def test_an_unknown_campaign_is_a_404_page_not_a_live_page_of_zeros(client: TestClient) -> None:
    log_in(client)
    page = client.get("/dashboard/campaigns/never-made")
    assert page.status_code == 404
    main = main_of(page.text)
    assert "<h1>Not found</h1>" in main and "Campaign never-made does not exist." in main
    assert "data-counter" not in main and "/live" not in page.text


def test_recent_activity_says_what_its_r_ids_are_and_where_the_addresses_are(
    client: TestClient,
) -> None:
    """The feed shows pseudonymous ids: a newcomer who sent to Ada saw "r_6xwlonil" unexplained."""
    log_in(client)
    main = main_of(client.get("/dashboard/campaigns/spring").text)
    hint = main[main.index('id="feed-who"') :].split("</p>")[0]
    assert "pseudonymous ids" in hint and "/dashboard/campaigns/spring/messages" in hint
