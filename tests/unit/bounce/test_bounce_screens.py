"""The parse speed-ups that must not change a result: the literal index finds exactly the
literals a text holds, rule tables matched through a joint index pick the rule an unscreened
loop picks, and lower-case twins of case-insensitive patterns match the same spans (every
text of the bounce corpus)."""

from __future__ import annotations

import re

import pytest

from services.bounce.domain import (
    generic_rules,
    provider_rules,
    smtp_stage,
    text_rules,
)
from services.bounce.domain.literals import LiteralIndex, lower_case_twin
from services.bounce.domain.smtp_rules import normalise_text

TABLES = [
    *(text_rules.rule_table(rules) for rules in provider_rules.PROVIDER_RULES.values()),
    text_rules.rule_table(text_rules.STRONG_RULES),
    text_rules.rule_table(generic_rules.GENERIC_RULES),
    text_rules.rule_table(generic_rules.WEAK_RULES),
]


@pytest.fixture(scope="module")
def reply_texts(notifications) -> list[str]:
    paragraphs = [p for text in notifications for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [normalise_text(p) for p in paragraphs]


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("mailbox full", {"mail", "mailbox", "box"}),  # nested at one position and inside
        ("e-mail box", {"mail", "box"}),
        ("mai lbo x", set()),
        ("", set()),
        ("a.b mailbo", {"a.b", "mail"}),
    ],
)
def test_literal_index_finds_every_literal_held(text, present):
    index = LiteralIndex(frozenset({"mail", "mailbox", "box", "a.b"}))
    assert index.present(text) == present


def test_literal_index_is_exact_on_every_corpus_reply(reply_texts):
    index = text_rules.joint_index(TABLES)
    assert len(index.literals) > 300
    for text in reply_texts:
        assert index.present(text) == {lit for lit in index.literals if lit in text}


def test_tables_matched_through_a_joint_index_pick_the_unscreened_first_match(reply_texts):
    index = text_rules.joint_index(TABLES)
    for text in reply_texts:
        present = index.present(text)
        for table in TABLES:
            expected = next((r for r in table.rules if r.pattern.search(text)), None)
            assert text_rules.first_match(table, text, present) is expected


def test_lower_case_twin_refuses_upper_case_literals():
    with pytest.raises(ValueError):
        lower_case_twin(re.compile(r"in reply to RCPT", re.IGNORECASE))
    twin = lower_case_twin(re.compile(r"\S+ said\b", re.IGNORECASE | re.MULTILINE))
    assert twin.flags & re.IGNORECASE == 0 and twin.flags & re.MULTILINE


@pytest.mark.parametrize("pattern", [smtp_stage._STAGE_RE, smtp_stage._DIRECTORY_RE])
def test_lower_case_twins_match_the_same_spans_on_ascii_text(pattern, notifications):
    twin = lower_case_twin(pattern)
    texts = [t for t in notifications if t.isascii()]
    assert len(texts) > 250
    matched = 0
    for text in texts:
        spans = [m.span() for m in pattern.finditer(text)]
        assert [m.span() for m in twin.finditer(text.lower())] == spans
        matched += bool(spans)
    assert matched >= 5  # the corpus exercises them
