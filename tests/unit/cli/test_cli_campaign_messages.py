"""``emailtrack campaign messages``: the per-message list as a table, JSON or CSV file, paged
through the recipient service and merged with analytics' facts; an unknown campaign exits 3."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from emailtrack.v1 import analytics_pb2, recipient_pb2
from tests.unit.cli.conftest import Invoke
from tests.unit.cli.fake_services import FakeStack


def test_table_shows_status_first_open_and_who(cli: Invoke) -> None:
    table = cli("campaign", "messages", "spring").stdout
    assert "3 message rows of spring" in table
    assert "ada@example.com" in table and "delivered" in table
    assert "person + machine" in table and "2026-11-02 09:01:00" in table
    assert "bounced" in table and "550 user unknown" in table and "pending" in table


def test_json_pages_and_all(cli: Invoke, stack: FakeStack) -> None:
    first = json.loads(cli("campaign", "messages", "spring", "--page-size", "2", "--json").stdout)
    assert [r["message_id"] for r in first["messages"]] == ["m1", "m2"]
    assert first["next_page_token"] == "2"
    ada = first["messages"][0]
    assert (ada["status"], ada["opens"], ada["opened_by_human"], ada["clicked_by_human"]) == (
        "delivered",
        2,
        True,
        False,
    )
    every = json.loads(
        cli("campaign", "messages", "spring", "--page-size", "2", "--all", "--json").stdout
    )
    assert [r["email"] for r in every["messages"]] == [
        "ada@example.com",
        "bob@example.com",
        "cy@example.com",
    ]
    assert every["next_page_token"] is None
    asked = stack.requests_of(analytics_pb2.GetMessageEngagementRequest)[-1]
    assert [k.message_id for k in asked.keys] == ["m3"]  # analytics asked for the page's pairs


def test_csv_file_holds_every_row_and_defuses_formulas(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "messages.csv"
    assert "wrote 3 rows" in cli("campaign", "messages", "spring", "--csv", str(path)).stdout
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [r["status"] for r in rows] == ["delivered", "bounced", "pending"]
    assert rows[0]["first_open_at"] == "2026-11-02T09:01:00.000Z"
    assert rows[0]["opened_by_machine"] == "yes" and rows[2]["opens"] == "0"
    assert rows[1]["reason"] == "'=550 user unknown"  # a spreadsheet would run "=..."
    to_stdout = cli("campaign", "messages", "spring", "--csv", "-").stdout
    assert to_stdout.splitlines()[0].startswith("message_id,email,status,")


def test_unknown_campaign_exits_3_and_json_with_csv_is_refused(
    cli: Invoke, stack: FakeStack
) -> None:
    assert "no campaign 'never-made'" in cli("campaign", "messages", "never-made", code=3).stderr
    assert stack.requests_of(recipient_pb2.ListCampaignMessagesRequest)[-1].campaign_id == (
        "never-made"
    )
    # messages registered under an id with neither a definition nor an event are listed
    listed = cli("campaign", "messages", "never-defined-registered").stdout
    assert "3 message rows of never-defined-registered" in listed
    cli("campaign", "messages", "spring", "--csv", "x.csv", "--json", code=2)
