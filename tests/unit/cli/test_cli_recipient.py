"""``emailtrack recipient``, ``message``, ``bounce feed``, ``replay`` and ``demo`` on fakes."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

from emailtrack.common.identity import recipient_id_for
from emailtrack.v1 import recipient_pb2, tracking_edge_pb2
from tests.unit.cli.conftest import Invoke
from tests.unit.cli.fake_services import FakeStack


def test_recipient_show(cli: Invoke) -> None:
    assert "ada@example.com" in cli("recipient", "show", "ada@example.com").stdout
    shown = json.loads(cli("recipient", "show", "ada@example.com", "--json").stdout)
    assert shown["status"] == "active" and shown["engagement"]["opens"] == 4
    assert "NOT_FOUND" in cli("recipient", "show", "bob@example.com", code=3).stderr
    assert "INVALID_ARGUMENT" in cli("recipient", "show", "nope", code=2).stderr


def test_recipient_suppress_and_unsuppress(cli: Invoke, stack: FakeStack) -> None:
    done = json.loads(
        cli("recipient", "suppress", "ada@example.com", "--reason", "asked", "--json").stdout
    )
    assert done["status"] == "suppressed"
    sent = stack.requests_of(recipient_pb2.SuppressRequest)[-1]
    assert (sent.reason, sent.actor, sent.tenant_id) == ("asked", "cli", "acme")
    assert "active" in cli("recipient", "unsuppress", "ada@example.com").stdout
    refused = cli("recipient", "unsuppress", "ada@example.com", "--json", code=4)
    assert "not suppressed" in refused.stderr
    cli("recipient", "suppress", "bob@example.com", code=3)


def test_recipient_erase_asks_first(cli: Invoke, stack: FakeStack) -> None:
    cli("recipient", "erase", "ada@example.com", stdin="n\n", code=1)
    assert "ada@example.com" in stack.recipients.people
    assert "erased" in cli("recipient", "erase", "ada@example.com", stdin="y\n").stdout
    stack.recipients.people["ada@example.com"] = recipient_pb2.Recipient(email="ada@example.com")
    done = json.loads(cli("recipient", "erase", "ada@example.com", "--yes", "--json").stdout)
    assert done == {"email": "ada@example.com", "erased": True}
    cli("recipient", "erase", "ada@example.com", "--yes", code=3)


def test_message_instrument(cli: Invoke, stack: FakeStack, tmp_path: Path) -> None:
    html = tmp_path / "mail.html"
    html.write_text("<html><body><a href='https://example.com'>x</a></body></html>")
    out = tmp_path / "out.html"
    args = ["message", "instrument", "--campaign", "spring", "--message-id", "m1",
            "--to", "ada@example.com", "--html", str(html)]  # fmt: skip
    table = cli(*args, "--output", str(out)).stdout
    assert "http://gw/c/v1" in table and "List-Unsubscribe" in table
    assert 'src="http://gw/o/v1.tok.gif"' in out.read_text()
    sent = stack.requests_of(tracking_edge_pb2.InstrumentMessageRequest)[-1].message
    assert sent.recipient_id == recipient_id_for("acme", "ada@example.com")
    done = json.loads(cli(*args, "--json").stdout)
    assert done["pixel_url"] == "http://gw/o/v1.tok.gif" and "<img" in done["html"]
    assert "give --html" in cli(*args[:-2], code=2).stderr
    cli(*args[:-1], str(tmp_path / "missing.html"), code=2)
    assert "not an e-mail" in cli(*args[:7], "ada", *args[8:], code=2).stderr


def test_message_show(cli: Invoke) -> None:
    shown = json.loads(cli("message", "show", "http://gw/c/v1.good", "--json").stdout)
    assert shown["valid"] and shown["campaign_id"] == "spring"
    assert "valid token" in cli("message", "show", "http://gw/o/v1.good.gif").stdout
    bad = json.loads(cli("message", "show", "v1.forged", "--json", code=2).stdout)
    assert bad == {**bad, "valid": False, "error": "bad tag"}


def test_bounce_feed_and_its_alias(cli: Invoke, tmp_path: Path) -> None:
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    for n in range(3):
        box.add(f"From: mailer-daemon@x.example\nSubject: failure {n}\n\nbody\n".encode())
    box.flush()
    counts = json.loads(
        cli("bounce", "feed", str(tmp_path / "bounces.mbox"), "--tenant", "acme", "--json").stdout
    )
    assert counts["messages"] == 3 and counts["bounces"] == 3
    assert (
        "messages" in cli("bounce-feed", str(tmp_path / "bounces.mbox"), "--tenant", "acme").stdout
    )
    cli("bounce", "feed", str(tmp_path / "missing"), "--tenant", "acme", code=2)
    cli("bounce", "feed", str(tmp_path / "bounces.mbox"), code=2)


def test_replay_bad_input_and_refusal(cli: Invoke) -> None:
    url = "postgresql://nobody@127.0.0.1:1/emailtrack_analytics"
    assert (
        "ISO 8601"
        in cli("replay", "--database-url", url, "--from-timestamp", "soon", code=2).stderr
    )
    assert "nothing replayed" in cli("replay", "--database-url", url, stdin="n\n", code=1).stderr
    cli("replay", code=2)


def test_demo_bad_input_and_unreachable_stack(cli: Invoke) -> None:
    cli("demo", "--recipients", "0", code=2)
    failed = cli("demo", "--recipients", "2", "--recipient", "127.0.0.1:1", "--json", code=1)
    assert "creating the campaign: UNAVAILABLE" in failed.stderr


def test_recipient_list_searches_and_prints(cli: Invoke, stack: FakeStack) -> None:
    table = cli("recipient", "list", "--prefix", "ada", "--contains", "example").stdout
    assert "1 recipient of acme" in table and "ada@example.com" in table
    asked = stack.requests_of(recipient_pb2.ListRecipientsRequest)[-1]
    assert (asked.email_prefix, asked.email_contains) == ("ada", "example")
    found = json.loads(cli("recipient", "list", "--status", "active", "--json").stdout)
    assert [r["email"] for r in found["recipients"]] == ["ada@example.com"]
    cli("recipient", "list", "--status", "gone", code=2)
