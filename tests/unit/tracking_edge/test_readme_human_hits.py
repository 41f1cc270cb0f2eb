"""The README's Try-it hits, as written there: its browser curl lines are a person's open and
click, and plain curl is a bot whose reasons say why."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.tracking_edge.domain.classify import HitFeatures, HitHistory
from services.tracking_edge.domain.classify.types import PriorHit
from tests.unit.tracking_edge.classifying import classify_hit

README = Path(__file__).resolve().parents[3] / "README.md"
SENT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _readme_curl(placeholder: str) -> tuple[str, dict[str, str]]:
    """User-Agent and headers of the README's curl line that fetches ``placeholder``."""
    text = README.read_text()
    browser = re.search(r'^BROWSER="([^"]+)"$', text, re.MULTILINE)
    assert browser, "the README defines BROWSER"
    line = next(x for x in text.splitlines() if x.startswith("curl") and placeholder in x)
    words = shlex.split(line.replace('"$BROWSER"', shlex.quote(browser.group(1))))
    agent = words[words.index("-A") + 1]
    headers = dict(
        words[i + 1].lower().split(": ", 1) for i, word in enumerate(words) if word == "-H"
    )
    return agent, headers


def _hit(kind: str, agent: str, headers: dict[str, str], after: timedelta) -> HitFeatures:
    return HitFeatures(
        kind=kind,  # type: ignore[arg-type]
        http_method="GET",
        user_agent=agent,
        client_ip="127.0.0.1",
        received_at=SENT + after,
        sent_at=SENT,
        headers=headers,
    )


def test_the_readme_browser_open_and_click_are_human() -> None:
    agent, headers = _readme_curl("<pixel_url from the reply>")
    opened = classify_hit(_hit("open", agent, headers, timedelta(seconds=5)), HitHistory())
    assert opened.source == "human", opened.reasons
    agent, headers = _readme_curl("<links[0].tracking_url from the reply>")
    history = HitHistory(prior=[PriorHit("open", SENT + timedelta(seconds=5), 0, "human")])
    clicked = classify_hit(_hit("click", agent, headers, timedelta(seconds=70)), history)
    assert clicked.source == "human", clicked.reasons


def test_plain_curl_is_a_bot_that_says_why() -> None:
    verdict = classify_hit(_hit("open", "curl/8.5.0", {}, timedelta(minutes=5)), HitHistory())
    assert verdict.source == "bot" and verdict.reasons
