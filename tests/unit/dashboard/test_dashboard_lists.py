"""The dashboard's lists in-process: the campaign list's live feed (rows rendered by the
page's template, escaped), the campaign page's feed asking for the stored backlog, and the
recipients page's list, status filter and lookup."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from emailtrack.v1 import analytics_pb2, recipient_pb2
from gateway.operator.dashboard.live import RECENT_EVENTS
from gateway.operator.dashboard.pages import rate
from tests.unit.cli.fake_services import FakeStack
from tests.unit.dashboard.test_dashboard_pages import log_in


def sse_blocks(text: str, event: str) -> list[dict]:
    return [
        json.loads(block.split("data: ", 1)[1])
        for block in text.split("\n\n")
        if block.startswith(f"event: {event}")
    ]


def test_campaign_list_page_subscribes_to_its_live_feed(client: TestClient) -> None:
    log_in(client)
    page = client.get("/dashboard/", params={"page": "p2"}).text
    assert 'data-live="http://testserver/dashboard/live?page=p2"' in page
    assert "/dashboard/static/campaigns.js" in page
    assert 'data-campaign="zeta"' in page  # the rows come from the shared row template
    assert "Open rate <small>unique</small>" in page and "Sent <small>total</small>" in page
    summary = page.split('id="summary"', 1)[1].split("</section>", 1)[0]
    assert "<span>Campaigns</span><strong>3</strong>" in summary  # every campaign added up
    assert "<span>Sent · total</span><strong>30</strong>" in summary
    assert "<span>Bounce rate · total</span><strong>10.0%</strong>" in summary


def test_campaign_list_feed_pushes_rendered_escaped_rows(
    client: TestClient, stack: FakeStack
) -> None:
    assert client.get("/dashboard/live").status_code == 401
    log_in(client)
    with client.stream("GET", "/dashboard/live", params={"page": "p2"}) as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        text = "".join(reply.iter_text())
    first, second = sse_blocks(text, "campaigns")
    assert first["count"] == 1 and 'data-campaign="spring"' in first["rows"]
    assert second["count"] == 2
    assert "<span>Campaigns</span><strong>3</strong>" in second["summary"]
    assert "&lt;new&gt;" in second["rows"] and "<new>" not in second["rows"]
    assert 'href="http://testserver/dashboard/campaigns/spring"' in second["rows"]
    request = stack.requests_of(analytics_pb2.WatchCampaignListRequest)[-1]
    assert (request.tenant_id, request.page_token) == ("acme", "p2")


def test_campaign_feed_asks_for_the_latest_stored_events(
    client: TestClient, stack: FakeStack
) -> None:
    log_in(client)
    with client.stream("GET", "/dashboard/campaigns/spring/live") as reply:
        "".join(reply.iter_text())
    request = stack.requests_of(analytics_pb2.WatchCampaignRequest)[-1]
    assert request.recent_events == RECENT_EVENTS > 0


def test_recipients_page_lists_searches_filters_and_looks_up(
    client: TestClient, stack: FakeStack
) -> None:
    log_in(client)
    listed = client.get("/dashboard/recipients")
    assert listed.status_code == 200
    assert 'href="?email=ada%40example.com"' in listed.text
    bounced = client.get("/dashboard/recipients", params={"status": "bounced"})
    assert "ada@example.com" not in bounced.text and "No recipient bounced yet" in bounced.text
    request = stack.requests_of(recipient_pb2.ListRecipientsRequest)[-1]
    assert request.status == recipient_pb2.RECIPIENT_STATUS_BOUNCED
    assert client.get("/dashboard/recipients", params={"status": "gone"}).status_code == 422
    assert client.get("/dashboard/recipients", params={"colour": "x"}).status_code == 422
    searched = client.get("/dashboard/recipients", params={"q": "ADA@", "match": "prefix"})
    assert "ada@example.com" in searched.text
    request = stack.requests_of(recipient_pb2.ListRecipientsRequest)[-1]
    assert (request.email_prefix, request.email_contains) == ("ADA@", "")
    domain = client.get("/dashboard/recipients", params={"q": "example", "match": "contains"})
    assert "ada@example.com" in domain.text
    assert stack.requests_of(recipient_pb2.ListRecipientsRequest)[-1].email_contains == "example"
    nobody = client.get("/dashboard/recipients", params={"q": "zed", "match": "contains"})
    assert "No recipient whose address contains “zed”" in nobody.text
    assert client.get("/dashboard/recipients", params={"q": "x" * 257}).status_code == 422
    assert client.get("/dashboard/recipients", params={"match": "regex"}).status_code == 422
    found = client.get("/dashboard/recipients", params={"email": "ada@example.com"})
    assert "Opens · total (human)" in found.text and "r_ada" in found.text


def test_per_message_page_says_who_opened_clicked_and_bounced(client: TestClient) -> None:
    signed_out = client.get("/dashboard/campaigns/spring/messages.csv", follow_redirects=False)
    assert signed_out.status_code == 303
    log_in(client)
    campaign = client.get("/dashboard/campaigns/spring").text
    assert 'href="http://testserver/dashboard/campaigns/spring/messages"' in campaign
    page = client.get("/dashboard/campaigns/spring/messages")
    assert page.status_code == 200
    ada = page.text.split('data-message="m1"', 1)[1].split("</tr>", 1)[0]
    assert "ada@example.com" in ada and "delivered" in ada
    assert 'class="source-human">person' in ada and "machine" in ada  # MPP, then a person
    bob = page.text.split('data-message="m2"', 1)[1].split("</tr>", 1)[0]
    assert "bounced" in bob and "=550 user unknown" in bob  # HTML-escaped, shown as given
    exported = client.get("/dashboard/campaigns/spring/messages.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="spring-messages.csv"' in exported.headers["content-disposition"]
    assert exported.text.splitlines()[0].startswith("message_id,email,status")
    assert len(exported.text.splitlines()) == 4
    assert client.get("/dashboard/campaigns/never-x/messages").status_code == 404
    assert client.get("/dashboard/campaigns/never-x/messages.csv").status_code == 404
    assert client.get("/dashboard/campaigns/spring/messages?sort=x").status_code == 422


def test_a_rate_without_a_base_is_a_dash_not_zero() -> None:
    assert rate(0.25, 4) == "25.0%"
    assert rate(0.0, 0) == "—"  # one open, nothing reported sent: not "0.0%"


def test_top_link_rows_are_served_for_the_live_refresh(client: TestClient) -> None:
    assert client.get("/dashboard/campaigns/spring/links").status_code == 401
    log_in(client)
    page = client.get("/dashboard/campaigns/spring").text
    assert 'data-links="http://testserver/dashboard/campaigns/spring/links"' in page
    rows = client.get("/dashboard/campaigns/spring/links")
    assert rows.headers["content-type"].startswith("text/html")
    assert '<td class="url">https://example.com/offer</td>' in rows.text
