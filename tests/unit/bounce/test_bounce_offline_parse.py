"""`python -m services.bounce parse` (services/bounce/offline_parse.py): offline parsing of .eml,
mbox and Maildir input, JSON shape and exit codes (0 parsed, 1 not a bounce, 2 unreadable), on
real corpus messages. The `emailtrack bounce parse` wrapper is tested in tests/unit/cli."""

import json
import mailbox
from pathlib import Path

import pytest

from services.bounce.commands import run

CORPUS = Path(__file__).resolve().parents[2] / "data" / "bounces"
DSN = CORPUS / "flufl" / "dsn_01.txt"  # Original-Recipient + host-internal Final-Recipient
POSTFIX = CORPUS / "bounceparser" / "postfix-orig.msg"  # Original != Final recipient
AUTO_REPLY = CORPUS / "bounced" / "bounce_email_non_bounces" / "tt_1234210666.eml"


@pytest.fixture
def parse(capsys):
    def _run(*args: str) -> tuple[int, str]:
        code = run("bounce", ["parse", *args])
        return code, capsys.readouterr().out

    return _run


@pytest.fixture
def parse_json(parse):
    def _run(*args: str) -> tuple[int, dict]:
        code, out = parse("--json", *args)
        return code, json.loads(out)

    return _run


def test_eml_bounce_json_fields(parse_json):
    code, out = parse_json(str(POSTFIX))
    assert code == 0
    (message,) = out["results"]
    assert message["kind"] == "bounce" and message["file"] == str(POSTFIX)
    (recipient,) = message["recipients"]
    assert recipient["recipient"] == "final@dest.example.com"
    assert recipient["original_recipient"] == "original@dest.example.com"
    assert recipient["reason"] == "no_relaying" and recipient["sisimai_reason"] == "norelaying"
    assert recipient["hard"] is False and recipient["kind"] == "bounce"
    assert recipient["status"].startswith("5.") and recipient["smtp_code"] == "554"
    assert "relay" in recipient["diagnostic"].lower()


def test_mbox_and_maildir_yield_one_result_per_message(tmp_path, parse_json):
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    for path in (DSN, POSTFIX, AUTO_REPLY):
        box.add(path.read_bytes())
    box.flush()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(DSN.read_bytes())
    code, out = parse_json(str(tmp_path / "bounces.mbox"), str(tmp_path / "Maildir"))
    kinds = [(r["file"].rsplit("/", 1)[1], r["index"], r["kind"]) for r in out["results"]]
    assert kinds == [
        ("bounces.mbox", 0, "bounce"),
        ("bounces.mbox", 1, "bounce"),
        ("bounces.mbox", 2, "auto_reply"),
        ("Maildir", 0, "bounce"),
    ]
    assert code == 1  # the auto-reply is not a bounce


def test_not_a_bounce_exits_1_and_text_output_names_it(parse):
    code, out = parse(str(AUTO_REPLY))
    assert code == 1
    assert "auto_reply" in out


def test_text_output_per_recipient(parse):
    code, out = parse(str(POSTFIX))
    assert code == 0
    assert "final@dest.example.com (originally original@dest.example.com): bounce" in out
    assert "reason no_relaying (Sisimai norelaying)" in out


def test_unreadable_inputs_exit_2_and_do_not_hide_the_rest(tmp_path, parse_json):
    (tmp_path / "folder").mkdir()
    big = tmp_path / "big.eml"
    big.write_bytes(b"x" * (10 * 1024 * 1024 + 1))
    code, out = parse_json(
        str(DSN), str(tmp_path / "missing.eml"), str(tmp_path / "folder"), str(big)
    )
    assert code == 2
    errors = [r.get("error", "") for r in out["results"]]
    assert errors[0] == "" and out["results"][0]["kind"] == "bounce"
    assert "No such file" in errors[1]
    assert "not a Maildir" in errors[2]
    assert "larger than" in errors[3]
