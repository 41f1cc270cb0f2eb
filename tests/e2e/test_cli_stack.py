"""The operator CLI against the real services: campaign (statistics, lifecycle, variants),
mailbox, usage, message, recipient and report commands on a demo campaign, `emailtrack demo`
itself, and exit codes of failures."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emailtrack.cli import app
from emailtrack.demo.plan import Plan
from emailtrack.platform.supervisor import Platform
from tests.e2e.conftest import Operator, service_addresses

pytestmark = pytest.mark.e2e


@pytest.fixture
def run(platform: Platform, operator: Operator):
    found = service_addresses(platform)
    env = {
        "EMAILTRACK_TENANT": operator.tenant,
        "EMAILTRACK_ANALYTICS_ADDR": found["analytics"],
        "EMAILTRACK_RECIPIENT_ADDR": found["recipient"],
        "EMAILTRACK_TRACKING_EDGE_ADDR": found["tracking-edge"],
        "EMAILTRACK_BOUNCE_ADDR": found["bounce"],
        "EMAILTRACK_API_KEY": platform.admin_key,
    }

    def invoke(*args: str, code: int = 0):
        """``code=-1`` accepts any exit code (the caller looks at it)."""
        result = CliRunner().invoke(app, list(args), env=env)
        assert code == -1 or result.exit_code == code, result.output
        return result

    return invoke


def test_campaign_commands(run, demo_campaign: Plan, tmp_path: Path) -> None:
    campaign = demo_campaign.campaign_id
    listed = json.loads(run("campaign", "list", "--all", "--json").stdout)
    assert campaign in [c["campaign_id"] for c in listed["campaigns"]]
    shown = json.loads(run("campaign", "show", campaign, "--json").stdout)
    assert shown["stats"]["sent"] == 16
    assert {"client", "device", "country"} == set(shown["breakdowns"])
    assert "top links" in run("campaign", "show", campaign).stdout
    target = tmp_path / "timeline.csv"
    summary = json.loads(run("campaign", "export", campaign, "-o", str(target), "--json").stdout)
    assert summary["rows"] >= 1
    assert target.read_text().startswith("bucket_start,sent,")


def test_message_instrument_and_show(run, tmp_path: Path) -> None:
    html = tmp_path / "mail.html"
    html.write_text('<html><body><a href="https://example.com/x">x</a></body></html>')
    done = json.loads(
        run(
            "message", "instrument", "--campaign", "cli-e2e", "--message-id", "cli-m1",
            "--to", "ada@example.com", "--html", str(html), "--json",
        ).stdout
    )  # fmt: skip
    assert done["links"][0]["original_url"] == "https://example.com/x"
    shown = json.loads(run("message", "show", done["links"][0]["tracking_url"], "--json").stdout)
    assert shown["valid"] and shown["link_url"] == "https://example.com/x"
    forged = done["pixel_url"].replace(".gif", "AAAA.gif")
    assert json.loads(run("message", "show", forged, "--json", code=2).stdout)["valid"] is False


def test_message_instrument_sent_is_counted_and_listed(run, tmp_path: Path) -> None:
    """The README's instrument command records the send: the campaign counts one message sent
    (its rates get a base) and its Messages page lists the recipient's address."""
    html = tmp_path / "mail.html"
    html.write_text('<html><body><a href="https://example.com/">news</a></body></html>')
    printed = run(
        "message", "instrument", "--campaign", "cli-sent", "--message-id", "cli-s1",
        "--to", "grace@example.com", "--html", str(html), "--output", str(tmp_path / "t.html"),
        "--sent",
    ).stdout  # fmt: skip
    assert re.search(r"message cli-s1: 1 link(?!s)", printed), printed
    deadline = time.monotonic() + 60
    while True:
        shown = run("campaign", "show", "cli-sent", "--json", code=-1)
        stats = json.loads(shown.stdout)["stats"] if shown.exit_code == 0 else {"sent": 0}
        if stats["sent"] == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert stats["sent"] == 1
    listed = json.loads(run("campaign", "messages", "cli-sent", "--json").stdout)["messages"]
    assert [(m["message_id"], m["email"], m["status"]) for m in listed] == [
        ("cli-s1", "grace@example.com", "sent")
    ]


def test_recipient_and_report_commands(run, demo_campaign: Plan) -> None:
    email = demo_campaign.by_persona("phone_reader")[0].email
    assert json.loads(run("recipient", "show", email, "--json").stdout)["status"] == "active"
    suppressed = json.loads(run("recipient", "suppress", email, "--json").stdout)
    assert suppressed["status"] == "suppressed"
    assert json.loads(run("recipient", "unsuppress", email, "--json").stdout)["status"] == "active"
    run("recipient", "show", "nobody-here@example.com", code=3)
    run("recipient", "show", "not an address", code=2)
    erased = json.loads(run("recipient", "erase", email, "--yes", "--json").stdout)
    assert erased == {"email": email, "erased": True}
    summary = json.loads(run("summary", "--json").stdout)
    assert summary["campaigns"] >= 1
    assert summary["stats"]["sent"] >= 16 and summary["stats"]["hard_bounced"] >= 1
    listed = json.loads(run("recipient", "list", "--prefix", email[:3], "--all", "--json").stdout)
    assert all(r["email"].lower().startswith(email[:3].lower()) for r in listed["recipients"])
    rows = json.loads(run("campaign", "messages", demo_campaign.campaign_id, "--json").stdout)
    assert rows["messages"] and {"status", "first_open_at"} <= set(rows["messages"][0])
    run("campaign", "messages", "no-such-campaign", code=3)
    bounces = json.loads(run("report", "bounces", "--json").stdout)["campaigns"]
    assert demo_campaign.campaign_id in [row["campaign_id"] for row in bounces]


def test_demo_command_and_unreachable_service(run) -> None:
    done = json.loads(
        run(
            "demo", "--campaign", "cli-demo", "--recipients", "8", "--seconds", "0", "--json"
        ).stdout
    )
    assert done["messages"] == 8 and done["opens"] >= 1
    assert done["status"] == "completed" and done["auto_replies"] == 1
    assert done["dashboard"].endswith("/dashboard/campaigns/cli-demo")
    run("campaign", "list", "--analytics", "127.0.0.1:1", code=1)


def test_replay_rebuilds_the_same_figures(run, platform: Platform, demo_campaign: Plan) -> None:
    campaign = demo_campaign.campaign_id
    before = json.loads(run("campaign", "show", campaign, "--json").stdout)["stats"]
    database = platform.database_url("emailtrack_analytics")
    kafka = platform.bootstrap_servers
    done = json.loads(
        run("replay", "--database-url", database, "--kafka", kafka, "--yes", "--json").stdout
    )
    assert done["events"] >= before["sent"]
    after = json.loads(run("campaign", "show", campaign, "--json").stdout)["stats"]
    assert after == before


def test_campaign_lifecycle_variants_mailbox_and_usage_commands(run, demo_campaign: Plan) -> None:
    campaign = f"cli-ab-{demo_campaign.campaign_id}"
    created = json.loads(
        run("campaign", "create", campaign, "--name", "CLI A/B", "--step", "intro",
            "--step", "follow-up:48", "--variant", "A", "--variant", "B", "--json").stdout
    )  # fmt: skip
    assert created["status"] == "draft" and len(created["steps"]) == 2
    run("campaign", "create", "cli-bad", "--name", "X", "--variant", "A", "--variant", "A", code=2)
    assert (
        json.loads(run("campaign", "status", campaign, "scheduled", "--json").stdout)["status"]
        == "scheduled"
    )
    run("campaign", "status", campaign, "completed", code=4)
    compared = json.loads(run("campaign", "variants", demo_campaign.campaign_id, "--json").stdout)
    assert {v["variant"] for v in compared["variants"]} == {"A", "B"}
    assert {c["metric"] for c in compared["comparisons"]} == {"open", "click", "reply"}
    assert "click:" in run("campaign", "variants", demo_campaign.campaign_id).stdout
    run("campaign", "delete", campaign, "--yes")
    run("campaign", "status", campaign, code=3)
    registered = json.loads(run("mailbox", "register", "CLI@Sender.example", "--json").stdout)
    assert registered["address"] == "cli@sender.example"
    listed = json.loads(run("mailbox", "list", "--json").stdout)["mailboxes"]
    sales = next(m for m in listed if m["address"] == "sales@sender.example")
    assert sales["stats"]["sent"] >= 1 and 0 <= sales["health_score"] <= 100
    usage = json.loads(run("usage", "show", "--json").stdout)
    assert usage["emails_sent"] >= 16 and usage["campaigns_created"] >= 1
    run("usage", "show", "--period", "May", code=2)
