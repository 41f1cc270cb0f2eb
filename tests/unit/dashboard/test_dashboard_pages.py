"""Dashboard pages in-process: login, tenant scoping, rendering, the SSE live feed and the
vendored chart library."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from starlette.testclient import TestClient

from emailtrack.v1 import analytics_pb2, events_pb2
from gateway.operator.dashboard.pages import SERIES, chart_series
from tests.unit.cli.fake_services import FakeStack

ROOT = Path(__file__).resolve().parents[3]


def form_token(client: TestClient, path: str = "/dashboard/login") -> str:
    """The CSRF token of the form on ``path`` (login and logout forms carry one)."""
    html = client.get(path).text
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def log_in(client: TestClient, user: str = "ops", password: str = "s3cret:pw") -> None:
    form = {"username": user, "password": password, "csrf_token": form_token(client)}
    reply = client.post("/dashboard/login", data=form, follow_redirects=False)
    assert reply.status_code == 303, reply.text


def test_pages_need_a_login(client: TestClient) -> None:
    reply = client.get("/dashboard/campaigns/spring", follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].endswith("/dashboard/login")
    assert client.get("/dashboard/campaigns/spring/live").status_code == 401


def test_wrong_password_is_refused(client: TestClient) -> None:
    form = {"username": "ops", "password": "s3cret", "csrf_token": form_token(client)}
    reply = client.post("/dashboard/login", data=form)
    assert reply.status_code == 401
    assert "wrong password" in reply.text
    assert "emailtrack_dashboard" not in reply.headers.get("set-cookie", "")


def test_campaign_list_shows_rates_of_the_users_tenant(
    client: TestClient, stack: FakeStack
) -> None:
    log_in(client)
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert "spring" in page.text and "33.3%" in page.text and "25.0%" in page.text
    assert stack.requests_of(analytics_pb2.ListCampaignsRequest)[-1].tenant_id == "acme"
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_other_tenant_user_sees_nothing_of_acme(client: TestClient) -> None:
    log_in(client, "eve", "x")
    page = client.get("/dashboard/campaigns/spring")
    assert page.status_code == 404
    assert "spring" not in page.text.split("<main>")[1].split("</main>")[0].replace(
        "nothing for tenant other", ""
    )


def test_campaign_page_has_counters_chart_data_links_and_breakdowns(client: TestClient) -> None:
    log_in(client)
    page = client.get("/dashboard/campaigns/spring")
    assert page.status_code == 200
    # every card counts unique recipients and says so (the fake: 3 human opens by 2 people)
    assert '<span>Unique opens · human</span><strong data-counter="opens_human">2<' in page.text
    assert '<span>Unique clicks · human</span><strong data-counter="clicks_human">1<' in page.text
    assert "https://example.com/offer" in page.text
    assert "Apple Mail" in page.text
    data = page.text.split('id="timeline-data">')[1].split("</script>")[0]
    series = json.loads(data)
    assert sum(series["human_opens"]) == 6 and sum(series["machine_opens"]) == 3
    assert series["t"][1] - series["t"][0] == 60  # the campaign is young: minute buckets
    assert "/dashboard/static/vendor/uPlot.iife.min.js" in page.text


def test_live_feed_pushes_stats_and_masked_events(client: TestClient, stack: FakeStack) -> None:
    event = events_pb2.Event(
        event_id="e1",
        type=events_pb2.EVENT_TYPE_EMAIL_BOUNCE,
        recipient_id="r_abcdefghijklmnop",
        delivery=events_pb2.DeliveryPayload(
            address="grace.hopper@example.com", reason="user_unknown"
        ),
    )
    stack.analytics.watch_events = [event]
    log_in(client)
    with client.stream("GET", "/dashboard/campaigns/spring/live") as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        text = "".join(reply.iter_text())
    updates = [
        json.loads(block.split("data: ", 1)[1])
        for block in text.split("\n\n")
        if block.startswith("event: update")
    ]
    assert [u["stats"]["opens"]["total"]["human"] for u in updates] == [3, 4]
    line = updates[1]["events"][0]
    assert line["type"] == "bounce"
    assert line["recipient"] == "g••••••••@e••••••.com"
    assert "grace" not in text
    assert text.startswith("retry: ")


def test_timeline_json_refresh_and_bad_bucket(client: TestClient) -> None:
    log_in(client)
    series = client.get("/dashboard/campaigns/spring/timeline.json?bucket=hour").json()
    assert series["human_clicks"] == [0, 0, 1, 2, 0]
    assert [b - a for a, b in itertools.pairwise(series["t"])] == [3600] * 4
    assert client.get("/dashboard/campaigns/spring/timeline.json?bucket=year").status_code == 422


def test_recipient_page(client: TestClient) -> None:
    log_in(client)
    assert "Search" in client.get("/dashboard/recipients").text
    found = client.get("/dashboard/recipients", params={"email": "ada@example.com"})
    assert "active" in found.text and "r_ada" in found.text
    missing = client.get("/dashboard/recipients", params={"email": "bob@example.com"})
    assert "No recipient bob@example.com" in missing.text
    assert client.get("/dashboard/recipients", params={"email": "nope"}).status_code == 422


def test_logout_ends_the_session(client: TestClient) -> None:
    log_in(client)
    client.post("/dashboard/logout", data={"csrf_token": form_token(client, "/dashboard/")})
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_vendored_chart_library_is_the_locked_version() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/uplot"]["version"]
    vendored = ROOT / "gateway/operator/dashboard/static/vendor/uPlot.iife.min.js"
    assert vendored.read_text().startswith(f"/*! https://github.com/leeoniya/uPlot (v{version}) */")
    assert json.loads((ROOT / "package.json").read_text())["devDependencies"]["uplot"] == version


def test_chart_series_pads_a_lone_point_and_fills_gaps_with_zeros() -> None:
    def point(at: int, human: int) -> analytics_pb2.TimelinePoint:
        found = analytics_pb2.TimelinePoint(opens=analytics_pb2.SourceCounts(human=human, bot=1))
        found.bucket_start.FromSeconds(at)
        return found

    lone = chart_series([point(600, 4)], 60)
    assert lone["t"] == [540, 600, 660]
    assert lone["human_opens"] == [0, 4, 0] and lone["machine_opens"] == [0, 1, 0]
    gap = chart_series([point(600, 1), point(780, 2)], 60)
    assert gap["human_opens"] == [0, 1, 0, 0, 2, 0]
    assert chart_series([], 60) == {"t": [], **{name: [] for name in SERIES}}
