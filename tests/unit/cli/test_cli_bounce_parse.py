"""`emailtrack bounce parse` runs the bounce service's offline parse command (commands never
import services): output and exit code pass through. The parsing itself is tested in
tests/unit/bounce/test_bounce_offline_parse.py."""

import json
from pathlib import Path

from typer.testing import CliRunner

from emailtrack.cli import app

CORPUS = Path(__file__).resolve().parents[2] / "data" / "bounces"
POSTFIX = CORPUS / "bounceparser" / "postfix-orig.msg"
AUTO_REPLY = CORPUS / "bounced" / "bounce_email_non_bounces" / "tt_1234210666.eml"
runner = CliRunner()


def test_json_results_and_exit_codes_pass_through(tmp_path):
    ok = runner.invoke(app, ["bounce", "parse", "--json", str(POSTFIX)])
    assert ok.exit_code == 0
    (message,) = json.loads(ok.output)["results"]
    assert message["recipients"][0]["sisimai_reason"] == "norelaying"
    not_bounce = runner.invoke(app, ["bounce", "parse", str(AUTO_REPLY), str(POSTFIX)])
    assert not_bounce.exit_code == 1 and "auto_reply" in not_bounce.output
    missing = runner.invoke(app, ["bounce", "parse", str(tmp_path / "missing.eml")])
    assert missing.exit_code == 2 and "unreadable" in missing.output
