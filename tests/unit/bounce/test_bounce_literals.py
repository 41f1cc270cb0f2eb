"""Literal screens: what required_literals finds, and that screened rules match exactly the
texts their patterns match (every reply text of the bounce corpus, every rule)."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from services.bounce.domain import generic_rules, mta_formats, provider_rules, text_rules
from services.bounce.domain.literals import any_literal_pattern, may_match, required_literals
from services.bounce.domain.smtp_rules import normalise_text

CORPUS = Path(__file__).resolve().parents[2] / "data" / "bounces"
RULES = [
    *(rule for rules in provider_rules.PROVIDER_RULES.values() for rule in rules),
    *text_rules.STRONG_RULES,
    *generic_rules.GENERIC_RULES,
    *generic_rules.WEAK_RULES,
]


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"user ?unknown", {"unknown"}),  # the longest required run
        (r"mail ?box (?:is )?full", {"mail"}),
        (r"(?:quota|storage) exceeded", {" exceeded"}),
        (r"(?:quota|storage) ok", {"quota", "storage"}),
        (r"over ?quota|disk quota", {"quota", "disk quota"}),  # one literal per alternative
        (r"\bspf\b", {"spf"}),
        (r"(?:\d+)? ?(?:a|b)", None),
        (r"x{0,3}yz", None),
    ],
)
def test_required_literals(pattern, literals):
    assert required_literals(pattern) == (None if literals is None else frozenset(literals))


def test_may_match():
    assert may_match(None, "anything")
    assert may_match(frozenset({"quota"}), "over quota")
    assert not may_match(frozenset({"quota", "full"}), "user unknown")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("the mailbox is full", True),  # "mail" inside a longer word
        ("e-mail", True),
        ("a box", True),
        ("mai lbo x", False),
        ("", False),
    ],
)
def test_any_literal_pattern(text, found):
    pattern = any_literal_pattern(frozenset({"mail", "mailbox", "box", "a.b"}))
    assert (pattern.search(text) is not None) is found


def test_any_literal_pattern_escapes_and_refuses_nothing():
    pattern = any_literal_pattern(frozenset({"a.b", "x(y"}))
    assert pattern.search("a.b") and pattern.search("x(y") and not pattern.search("axb")
    with pytest.raises(ValueError):
        any_literal_pattern(frozenset())


def test_table_gates_pass_every_text_a_rule_matches():
    """Gated tables pick the rule an unscreened first-match loop picks, on every corpus text."""
    texts = _corpus_texts()
    tables = [*provider_rules.PROVIDER_RULES.values(), text_rules.STRONG_RULES]
    for rules in [*tables, generic_rules.GENERIC_RULES, generic_rules.WEAK_RULES]:
        table = text_rules.rule_table(rules)
        assert table.gate is not None
        for text in texts:
            expected = next((r for r in rules if r.pattern.search(text)), None)
            assert text_rules.first_match(table, text) is expected


def test_every_rule_has_a_screen():
    assert [rule.name for rule in RULES if rule.screen is None] == []


def _corpus_texts() -> list[str]:
    texts = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".eml", ".msg")):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        notification = mta_formats.split_notification(msg)[0]
        texts += [normalise_text(p) for p in re.split(r"\n\s*\n", notification) if p.strip()]
    return texts


def test_screened_rules_match_exactly_what_their_patterns_match():
    texts = _corpus_texts()
    assert len(texts) > 1000
    for rule in RULES:
        table = text_rules.rule_table((rule,))
        for text in texts:
            screened = text_rules.first_match(table, text) is rule
            assert screened == (rule.pattern.search(text) is not None), rule.name
