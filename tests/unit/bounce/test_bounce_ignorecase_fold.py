"""Literal screens of case-insensitive patterns whose literals are not all ASCII
(``literals.ignorecase_fold``): every character re.IGNORECASE matches to a literal's character
folds to the same one, checked over every code point, so the screen never hides a match; the
localised list headline of ``layouts`` answers as the bare pattern on the corpus (the
localised shapes of ``recipient_lines``: test_bounce_exact_speedups)."""

from __future__ import annotations

import re
import sys

import pytest

from services.bounce.domain import dsn, layouts, original, recipient_lines, smtp_stage
from services.bounce.domain.literals import CaselessScreened, caseless, ignorecase_fold

EVERY_CHARACTER = "".join(
    chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF
)
LOCALISED = layouts._LOCALISED_LIST_INTRO
NON_ASCII_SCREENS = [
    screen
    for screen in (LOCALISED, *recipient_lines._SCREENED.values())
    if screen.fold is ignorecase_fold
]
# Characters re folds beyond their lower case (re._casefix), beside the screens' own.
ODD_PARTNERS = "".join(
    map(chr, [0x69, 0x131, 0x73, 0x17F, 0x3C3, 0x3C2, 0x3BC, 0xB5, 0x3B9, 0x345, 0x1FBE])
) + "".join(
    map(chr, [0x432, 0x434, 0x43E, 0x441, 0x442, 0x44A, 0x463, 0xA64B, *range(0x1C80, 0x1C89)])
)


def test_the_fold_keeps_one_character_per_character():
    assert len(ignorecase_fold(EVERY_CHARACTER)) == len(EVERY_CHARACTER)


@pytest.mark.parametrize(
    "char", sorted(set("".join(lit for s in NON_ASCII_SCREENS for lit in s.screen) + ODD_PARTNERS))
)
def test_what_ignorecase_matches_to_a_character_folds_as_it_does(char):
    matching = re.findall(re.escape(char), EVERY_CHARACTER, re.IGNORECASE)
    assert len(matching) >= 1
    assert {ignorecase_fold(found) for found in matching} == {ignorecase_fold(char)}


def test_the_fold_is_lower_case_on_ascii_and_caseless_for_ascii_screens():
    assert ignorecase_fold("RCPT TO") == "rcpt to"
    assert ignorecase_fold("\u0130NVALID \u017fMTP") == caseless("\u0130NVALID \u017fMTP")
    assert CaselessScreened(re.compile(r"unknown user", re.I)).fold is caseless
    assert len(NON_ASCII_SCREENS) == 3


@pytest.mark.parametrize(
    "text",
    [
        "Die Nachricht WURDE NICHT ZUGESTELLT AN:\n  a@b.example",
        "Ваше сообщение не доставлено СЛЕДУЮЩИМ ПОЛУЧАТЕЛЯМ:\n a@b.example",
        "не доставлено \u1c83ле\u1c81ующим получателям: a@b.example",  # noqa: RUF001 (re's odd forms)
        "次の受信者へのメッセージ配信に失敗しました:",
    ],
)
def test_the_localised_headline_is_found_in_any_case(text):
    expected = LOCALISED.regex.search(text)
    assert expected is not None
    got = LOCALISED.search(text)
    assert got is not None and got.span() == expected.span()


def _variants(text: str) -> list[str]:
    odd = text.replace("\u0441", "\u1c83").replace("\u0434", "\u1c81").replace("\u043e", "\u1c82")
    return [text, text.upper(), odd, odd.upper()]


def test_the_localised_headline_answers_as_the_bare_pattern(notifications):
    matched = 0
    for notification in notifications:
        for text in _variants(notification[:8000]):
            expected = LOCALISED.regex.search(text)
            got = LOCALISED.search(text)
            assert (got and got.span()) == (expected and expected.span())
            matched += bool(expected)
    assert matched >= 4  # the corpus exercises it


@pytest.mark.parametrize(
    "screened",
    [original._QUOTED_HEADER, recipient_lines._ID_FIELD, dsn._INLINE_START, smtp_stage._DIRECTORY],
    ids=lambda s: s.regex.pattern[:30],
)
def test_the_field_and_directory_screens_answer_as_the_bare_patterns(screened, notifications):
    matched = 0
    for notification in notifications:
        for text in _variants(notification[:8000]):
            assert screened.findall(text) == screened.regex.findall(text)
            expected = screened.regex.search(text)
            got = screened.search(text)
            assert (got and got.span()) == (expected and expected.span())
            matched += bool(expected)
    assert matched >= 1
