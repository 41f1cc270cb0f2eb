"""``emailtrack campaign list|show|export`` and ``report summary|bounces`` on fake services."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from rich.console import Console

from emailtrack.commands.campaign import campaign_table
from emailtrack.commands.common import counted, percent
from emailtrack.commands.report import bounce_rows
from emailtrack.presentation import views
from emailtrack.presentation.views import TIMELINE_CSV_COLUMNS
from emailtrack.v1 import analytics_pb2
from tests.unit.cli.conftest import Invoke
from tests.unit.cli.fake_services import FakeStack, stats


def test_campaign_list_table_json_and_every_page(cli: Invoke, stack: FakeStack) -> None:
    table = cli("campaign", "list").stdout
    assert "spring" in table and "summer" in table and "33.3%" in table
    assert "more campaigns: use --all" in table
    first = json.loads(cli("campaign", "list", "--json").stdout)
    assert first["next_page_token"] == "p2"
    every = json.loads(cli("campaign", "list", "--all", "--json", "--page-size", "2").stdout)
    assert [c["campaign_id"] for c in every["campaigns"]] == ["spring", "summer", "zeta"]
    assert every["next_page_token"] is None
    assert {r.tenant_id for r in stack.requests_of(analytics_pb2.ListCampaignsRequest)} == {"acme"}


def test_campaign_list_bad_input_and_failures(cli: Invoke) -> None:
    assert "page-size" in cli("campaign", "list", "--page-size", "0", code=2).output
    assert "NOT_FOUND" in cli("campaign", "list", "--tenant", "globex", code=3).stderr
    assert "UNAVAILABLE" in cli("campaign", "list", "--analytics", "127.0.0.1:1", code=1).stderr
    assert "Missing option '--tenant'" in _without_tenant(cli)


def _without_tenant(cli: Invoke) -> str:
    from typer.testing import CliRunner

    from emailtrack.cli import app

    result = CliRunner().invoke(app, ["campaign", "list"], env={"EMAILTRACK_TENANT": ""})
    assert result.exit_code == 2
    return result.output


def test_campaign_show(cli: Invoke, stack: FakeStack) -> None:
    shown = cli("campaign", "show", "spring", "--links", "3").stdout
    assert "https://example.com/offer" in shown and "Apple Mail 75.0%" in shown
    assert stack.requests_of(analytics_pb2.GetTopLinksRequest)[-1].limit == 3
    data = json.loads(cli("campaign", "show", "spring", "--json").stdout)
    assert data["stats"]["hard_bounced"] == 1
    assert set(data["breakdowns"]) == {"client", "device", "country"}
    assert data["links"][0]["total_clicks"]["security_scanner"] == 2
    cli("campaign", "show", "spring", "--links", "0", code=2)
    cli("campaign", "show", code=2)


def test_campaign_show_unknown_exits_3_but_a_defined_one_without_events_shows(
    cli: Invoke,
) -> None:
    unknown = cli("campaign", "show", "never-made", code=3).stderr
    assert "no campaign 'never-made' in tenant 'acme'" in unknown
    cli("campaign", "create", "never-sent", "--name", "Later")
    assert "campaign never-sent" in cli("campaign", "show", "never-sent").stdout
    assert "no campaign 'never-made'" in cli("campaign", "export", "never-made", code=3).stderr


def test_campaign_list_keeps_long_ids_whole_at_80_columns_and_counts_in_words(
    cli: Invoke,
) -> None:
    ids = ["autumn-newsletter-2026-week-41-de", "spring"]
    rows = [views.campaign_stats(stats(campaign_id)) for campaign_id in ids]
    printed = io.StringIO()
    Console(width=80, file=printed).print(campaign_table(counted(len(rows), "campaign"), rows, 80))
    shown = printed.getvalue()
    assert ids[0] in shown  # whole on one line: copyable
    assert "…" not in shown  # no label cut, and every figure there, none cropped at the edge:
    assert "bounce rate 10.0%" in " ".join(shown.replace("│", " ").split())
    assert max(len(line) for line in shown.splitlines()) <= 80
    wide = io.StringIO()
    Console(width=200, file=wide).print(campaign_table("wide", rows, 200))
    assert "┃ bounce rate ┃" in wide.getvalue()  # one column per figure when they fit
    assert (
        counted(1, "campaign") == "1 campaign"
        and "3 campaigns of acme" in cli("campaign", "list", "--all").stdout
    )


def test_campaign_export_to_file_stdout_and_json(cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "spring.csv"
    summary = json.loads(
        cli("campaign", "export", "spring", "-o", str(target), "--bucket", "hour", "--json").stdout
    )
    assert summary == {"path": str(target), "rows": 3, "windows": 1}
    rows = list(csv.reader(target.open()))
    assert tuple(rows[0]) == TIMELINE_CSV_COLUMNS and len(rows) == 4
    printed = cli("campaign", "export", "spring", "--time-zone", "Europe/Paris").stdout
    assert printed.splitlines()[0].startswith("bucket_start,sent")
    assert len(list(csv.reader(io.StringIO(printed)))) == 4
    assert (
        "unknown IANA time zone"
        in cli("campaign", "export", "spring", "--time-zone", "Mars", code=2).stderr
    )
    cli("campaign", "export", "spring", "--bucket", "week", code=2)
    cli("campaign", "export", "spring", "--json", code=2)


def test_report_summary_and_bounces(cli: Invoke, stack: FakeStack) -> None:
    summary = json.loads(cli("report", "summary", "--json").stdout)
    assert summary["campaigns"] == 3 and summary["stats"]["sent"] == 30
    assert summary["stats"]["rates"]["bounce"] == 0.1
    assert (summary["stats"]["total_replies"], summary["stats"]["unique_replies"]) == (4, 3)
    assert (summary["start"], summary["end"]) == (None, None)
    table = cli("summary", "--since", "2026-11-01", "--until", "2026-12-01T00:00:00+01:00").stdout
    assert "campaigns active in [2026-11-01, 2026-12-01T00:00:00+01:00)" in table
    assert "acme: 3 campaigns" in table
    assert "reply rate" in table and "11.1%" in table and "unique replies" in table
    asked = stack.requests_of(analytics_pb2.GetTenantSummaryRequest)[-1]
    assert asked.start.ToJsonString() == "2026-11-01T00:00:00Z"
    assert asked.end.ToJsonString() == "2026-11-30T23:00:00Z"
    cli("summary", "--since", "last tuesday", code=2)
    bounces = json.loads(cli("report", "bounces", "--json", "--limit", "2").stdout)["campaigns"]
    assert [row["campaign_id"] for row in bounces] == ["spring", "summer"]
    assert "bounce rate" in cli("report", "bounces").stdout
    cli("report", "bounces", "--limit", "0", code=2)
    cli("report", "summary", "--tenant", "globex", code=3)


def test_bounce_rows_leave_out_quiet_campaigns() -> None:
    big = stats("b")
    quiet = analytics_pb2.CampaignStats(campaign_id="quiet", sent=5)
    assert [row["campaign_id"] for row in bounce_rows([quiet, big])] == ["b"]


def test_rates_without_a_base_read_as_a_dash_not_zero() -> None:
    """Nothing sent yet: an open beside a 0.0% open rate would contradict the dashboard's —."""
    unsent = analytics_pb2.CampaignStats(campaign_id="welcome", open_rate=0.0, rate_base=0)
    unsent.opens.unique.total = 1
    printed = io.StringIO()
    row = views.campaign_stats(unsent)
    Console(width=200, file=printed).print(campaign_table("t", [row], 200))
    assert "0.0%" not in printed.getvalue() and "—" in printed.getvalue()
    assert percent(0.5, 4) == "50.0%" and percent(0.5) == "50.0%" and percent(0.0, 0) == "—"
