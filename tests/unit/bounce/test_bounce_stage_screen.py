"""The SMTP stage pattern run as only the alternatives whose literal a text holds
(``smtp_stage._stage_matches``) finds what the whole pattern as it was written before finds:
the same spans and the same stage words, on every text the parse hands it over the corpus and,
where Perl Sisimai is installed, the generated bounces and reply texts of
``bench/bounce_verdicts.py``."""

from __future__ import annotations

import re

import pytest

from services.bounce.domain import smtp_stage
from tests.unit.bounce.conftest import BENCH, load_bench

# The pattern as one alternation, as it stood before the alternatives were split and screened.
WHOLE_STAGE_RE = re.compile(
    r"in\s+reply\s+to\s+(?:the\s+)?(rcpt\s+to|mail\s+from|end\s+of\s+data|data|ehlo|helo)\b"
    r"|after\s+(?:pipelined\s+)?(rcpt\s+to|mail\s+from|end\s+of\s+data|data|initial\s+connection"
    r"|ehlo|helo)\b"
    r"|^[ \t]*>>> (rcpt|mail|data|ehlo|helo|\.)\b"
    r"|\b(rcpt\s+to|mail\s+from|data)(?:\s+command)?\s+(?:failed|rejected|returned)"
    r"|error\s+following\s+(rcpt|mail|data)\s+command"
    r"|does\s+not\s+like\s+(recipient)\b|failed\s+(?:on\s+|after\s+i\s+sent\s+the\s+)(data|message)\b"
    r"|connected\s+to\s+\S+\s+but\s+(sender)\s+was\s+rejected",
    re.IGNORECASE | re.MULTILINE,
)


def _found(matches: list[re.Match[str]]) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), next(g for g in m.groups() if g).lower()) for m in matches]


@pytest.fixture(scope="module")
def stage_texts() -> list[str]:
    """Every text ``_stage_matches`` is asked about while the verdicts are dumped."""
    asked: list[str] = []
    screened = smtp_stage._stage_matches

    def spy(text: str) -> list[re.Match[str]]:
        asked.append(text)
        return screened(text)

    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCH))
        patch.setattr(smtp_stage, "_stage_matches", spy)
        load_bench("bounce_verdicts.py").verdicts(4000)
    return list(dict.fromkeys(asked))


def test_screened_alternatives_find_what_the_whole_pattern_finds(stage_texts):
    assert len(stage_texts) > 200
    found_any = 0
    for text in stage_texts:
        expected = _found(list(WHOLE_STAGE_RE.finditer(text)))
        assert _found(smtp_stage._stage_matches(text)) == expected, text
        found_any += bool(expected)
    assert found_any > 50  # the texts exercise the pattern


@pytest.mark.parametrize(
    "text",
    [
        "550 5.1.1 unknown (in reply to RCPT TO command)",
        "RCPT TO command rejected\n>>> DATA\n<<< 554 refused",
        "SMTP error from remote mail server after pipelined MAIL FROM: DATA returned",
        "x.example does not like recipient. failed after I sent the message.",
        "connected to mx.example but sender was rejected. Error following DATA command",
        "MetaDATA failed; mail from failed; in reply to helo",
    ],
)
def test_every_alternative_as_the_whole_pattern_reads_it(text):
    assert _found(smtp_stage._stage_matches(text)) == _found(list(WHOLE_STAGE_RE.finditer(text)))
    assert smtp_stage._stage_matches(text)
