"""``emailtrack campaign create|status|delete|variants``, ``mailbox list|register`` and
``usage show`` on the fake services: tables, --json, bad input and exit codes."""

from __future__ import annotations

import json
import shlex

import pytest

from emailtrack.commands.campaign_admin import parse_spec
from emailtrack.v1 import analytics_pb2, campaign_pb2
from tests.grpc_credentials import TEST_KEY
from tests.unit.cli.conftest import Invoke
from tests.unit.cli.fake_services import FakeStack


def test_create_shows_the_definition_and_sends_steps_and_variants(
    cli: Invoke, stack: FakeStack
) -> None:
    done = cli(
        "campaign", "create", "autumn", "--name", "Autumn", "--template", "tpl-1",
        "--tag", "sale", "--step", "intro", "--step", "follow-up:72:Reminder",
        "--variant", "A:50:Subject A", "--variant", "B:50", "--json",
    )  # fmt: skip
    found = json.loads(done.stdout)
    assert found["status"] == "draft" and found["tags"] == ["sale"]
    assert found["steps"][1] == {"step_id": "follow-up", "name": "Reminder", "delay_hours": 72}
    assert [v["variant_id"] for v in found["variants"]] == ["A", "B"]
    sent = stack.requests_of(campaign_pb2.CreateCampaignRequest)[-1]
    assert sent.tenant_id == "acme" and sent.steps[0].delay_hours == 0
    table = cli("campaign", "create", "autumn", "--name", "Autumn").stdout
    assert "follow-up (+72 h) Reminder" in table  # the same id again shows the existing one


def test_create_rejects_bad_specs_and_what_the_service_refuses(cli: Invoke) -> None:
    assert (
        "not a whole number"
        in cli("campaign", "create", "x", "--name", "X", "--step", "a:soon", code=2).output
    )
    cli("campaign", "create", "x", "--name", "X", "--variant", ":5", code=2)
    refused = cli("campaign", "create", "x", "--name", " ", code=2)
    assert "name is required" in refused.output
    duplicate = ("--step", "a", "--step", "a")
    cli("campaign", "create", "x", "--name", "X", *duplicate, code=2)


@pytest.mark.parametrize(
    ("spec", "kind", "parsed"),
    [("a", "step", ("a", 0, "")), ("B:30:Big subject", "variant", ("B", 30, "Big subject")),
     ("B", "variant", ("B", 1, "")), ("x::name:with:colons", "step", ("x", 0, "name:with:colons"))],
)  # fmt: skip
def test_parse_spec(spec: str, kind: str, parsed: tuple[str, int, str]) -> None:
    assert parse_spec(kind, spec) == parsed
    with pytest.raises(ValueError, match="negative"):
        parse_spec(kind, "a:-1")


def test_status_shows_and_moves_along_the_lifecycle(cli: Invoke) -> None:
    cli("campaign", "create", "lifecycle", "--name", "L")
    assert "(draft)" in cli("campaign", "status", "lifecycle").stdout
    moved = json.loads(cli("campaign", "status", "lifecycle", "scheduled", "--json").stdout)
    assert moved["status"] == "scheduled"
    refused = cli("campaign", "status", "lifecycle", "completed", code=4)
    assert "cannot become" in refused.output
    cli("campaign", "status", "lifecycle", "nonsense", code=2)
    cli("campaign", "status", "never-created", code=3)


def test_delete_asks_unless_yes(cli: Invoke, stack: FakeStack) -> None:
    cli("campaign", "create", "doomed", "--name", "D")
    declined = cli("campaign", "delete", "doomed", stdin="n\n", code=1)
    assert "nothing deleted" in declined.output
    assert not stack.requests_of(campaign_pb2.DeleteCampaignRequest)
    assert "3 message registrations" in cli("campaign", "delete", "doomed", stdin="y\n").stdout
    cli("campaign", "delete", "doomed", "--yes", code=3)  # already deleted
    cli("campaign", "create", "doomed", "--name", "D", code=4)  # ids are never reused
    done = json.loads(cli("campaign", "delete", "spring", "--yes", "--json").stdout)
    assert done == {"campaign_id": "spring", "messages_deleted": 3}
    stack.campaigns.campaigns["spring"].status = campaign_pb2.CAMPAIGN_STATUS_SENDING


def test_variants_table_verdicts_and_json(cli: Invoke, stack: FakeStack) -> None:
    table = cli("campaign", "variants", "spring", "--step", "intro").stdout
    assert "60.0%" in table and "10.0%" in table
    assert "✔ click: Variant B's click rate is higher than A's (p=0.000321)" in table
    assert "need ~1200 more recipients" in table
    sent = stack.requests_of(analytics_pb2.GetVariantComparisonRequest)[-1]
    assert (sent.sequence_step, sent.baseline_variant, sent.alpha) == ("intro", "A", 0.05)
    found = json.loads(cli("campaign", "variants", "spring", "--json").stdout)
    click = next(c for c in found["comparisons"] if c["metric"] == "click")
    assert click["significant"] and click["p_value"] == 0.000321
    assert found["variants"][1]["rates"]["click"] == 0.6
    cli("campaign", "variants", "spring", "--alpha", "0.7", code=2)
    # events but no definition: the baseline is the caller's, or analytics' choice
    cli("campaign", "variants", "undefined-with-events", "--baseline", "B")
    cli("campaign", "variants", "undefined-with-events")
    asked = stack.requests_of(analytics_pb2.GetVariantComparisonRequest)[-2:]
    assert [r.baseline_variant for r in asked] == ["B", ""]
    # neither a definition nor an event: no such campaign
    unknown = cli("campaign", "variants", "never-defined", code=3).stderr
    assert "no campaign 'never-defined'" in unknown


def test_mailbox_list_and_register(cli: Invoke, stack: FakeStack) -> None:
    table = cli("mailbox", "list").stdout
    assert "88 good" in table and "40 critical" in table and "not computed yet" in table
    assert "old@sender.example (not registered)" in table
    rows = json.loads(cli("mailbox", "list", "--domain", "Sender.Example", "--json").stdout)
    assert [r["address"] for r in rows["mailboxes"]] == ["sales@sender.example"]
    assert rows["mailboxes"][0]["stats"]["replies"] == 3
    asked = stack.requests_of(analytics_pb2.ListMailboxStatsRequest)[-1]
    assert list(asked.mailboxes) == ["sales@sender.example"]
    done = json.loads(
        cli("mailbox", "register", "News@Sender.example", "--daily-limit", "200", "--warmup",
            "--json").stdout
    )  # fmt: skip
    assert done["address"] == "news@sender.example" and done["warmup_enabled"]
    assert done["health_score"] is None  # not computed before the first refresh
    shown = cli("mailbox", "register", "b@sender.example", "--daily-limit", "200", "--warmup")
    assert "200 daily limit, warmup on" in shown.stdout
    cli("mailbox", "register", "not-an-address", code=2)
    cli("mailbox", "register", "a@b.example", "--daily-limit", "-1", code=2)


def test_usage_show(cli: Invoke, stack: FakeStack) -> None:
    assert "tracked events" in cli("usage", "show").stdout
    found = json.loads(cli("usage", "show", "--period", "2026-10", "--json").stdout)
    assert found["period"] == "2026-10" and found["tracked_events"] == 321
    assert stack.requests_of(campaign_pb2.GetUsageRequest)[-1].period == "2026-10"
    cli("usage", "show", "--period", "2026-13", code=2)
    cli("usage", "show", "--recipient", "127.0.0.1:1", code=1)


def test_the_demo_suggests_commands_that_run_as_printed(stack: FakeStack) -> None:
    from typer.testing import CliRunner

    from emailtrack.cli import app
    from emailtrack.commands.demo import next_commands

    env = {
        "EMAILTRACK_TENANT": "",  # as a new shell has it: the command must carry --tenant
        "EMAILTRACK_ANALYTICS_ADDR": stack.address("analytics"),
        "EMAILTRACK_RECIPIENT_ADDR": stack.address("recipient"),
        "EMAILTRACK_API_KEY": TEST_KEY,
    }
    for command in next_commands("acme", "spring").values():
        program, *args = shlex.split(command)
        assert program == "emailtrack"
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 0, (command, result.output)
