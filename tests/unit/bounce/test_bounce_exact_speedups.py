"""Speed-ups that rest on a property of Python's str and re, checked over every code point:
caseless literal screens in front of case-insensitive patterns (literals.CaselessScreened)
never hide a match (``caseless`` folds every character re.IGNORECASE matches to an ASCII one,
and the screened patterns answer as the bare ones on every corpus notification, upper-cased
and with the odd characters re folds substituted too); str.split() splits reply text at the
characters re's \\s matches (smtp_rules.normalise_text). Receivers' host patterns screened one by
one answer as the unscreened loop (rhost_rules.receiver_reason)."""

from __future__ import annotations

import re
import sys

import pytest

from services.bounce.domain import (
    layouts,
    mta_formats,
    recipient_lines,
    rhost_rules,
    smtp_rules,
    smtp_stage,
)
from services.bounce.domain.literals import CaselessScreened, caseless
from services.bounce.domain.smtp_rules import normalise_text

SCREENED = [
    *recipient_lines._SCREENED.values(),
    mta_formats._DELAY,
    layouts._LIST_INTRO,
    smtp_stage._STAGE_CASELESS,
]


def test_caseless_folds_what_ignorecase_matches_to_ascii():
    printable = re.compile(r"[ -~]", re.IGNORECASE)
    folded = 0
    for code in range(128, sys.maxunicode + 1):
        char = chr(code)
        if printable.fullmatch(char):
            ascii_chars = map(chr, range(32, 127))
            partners = [a for a in ascii_chars if re.fullmatch(re.escape(a), char, re.I)]
            assert partners and all(caseless(char) == a.lower() for a in partners), hex(code)
            folded += 1
    assert folded == 4  # U+0130, U+0131, U+017F, U+212A
    assert caseless("\u0130NVALID \u017fMTP K") == "invalid smtp k"


def test_a_pattern_without_a_literal_is_refused():
    with pytest.raises(ValueError):
        CaselessScreened(re.compile(r"[a-z]+@", re.I))


def _variants(text: str) -> list[str]:
    upper = text.upper()
    odd = text.replace("s", "\u017f").replace("i", "\u0131").replace("I", "\u0130")
    return [text, upper, odd, odd.upper().replace("K", "\u212a")]


@pytest.mark.parametrize("screened", SCREENED, ids=lambda s: s.regex.pattern[:30])
def test_screened_patterns_answer_as_the_bare_ones(screened, notifications):
    bare = screened.regex
    matched = 0
    for notification in notifications:
        for text in _variants(notification[:8000]):
            found = [m.group(0) for m in bare.finditer(text)]
            assert [m.group(0) for m in screened.finditer(text)] == found
            assert screened.findall(text) == bare.findall(text)
            expected = bare.search(text)
            got = screened.search(text)
            assert (got and got.span()) == (expected and expected.span())
            matched += bool(found)
    assert matched >= 8  # the corpus exercises each of them


def test_str_split_splits_at_what_re_calls_white_space():
    space = re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert (space.fullmatch(char) is not None) == char.isspace(), hex(code)
    text = "550-5.1.1 The email\u2003account \x1c that\u00a0you tried\n\t to reach "
    without_prefixes = smtp_rules._CONTINUATION_RE.sub(" ", text.lower())
    assert normalise_text(text) == re.sub(r"\s+", " ", without_prefixes).strip()
    assert normalise_text(text) == "the email account that you tried to reach"


def _unscreened_receiver(text: str, mx_host: str, domain: str) -> tuple[str, str]:
    hosts = f"{mx_host}\n{domain}\n{text[:2000]}".lower()
    for receiver in rhost_rules.RECEIVERS:
        if receiver.hosts.search(hosts):
            reason = receiver.reason(text[:2000])
            if reason:
                return reason, receiver.name
    return "", ""


HOSTS = [
    "", "mx.beau.com", "mail.protection.outlook.com", "us-smtp.mimecast.com", "cox.net",
    "smtp.secureserver.net", "smtp.orange.fr", "charter.net", "mx.i.ua", "qq.com",
    "ezweb.ne.jp", "facebook.com", "docomo.ne.jp", "xi.uax.example",
]  # fmt: skip


def test_receivers_screened_one_by_one_answer_as_the_unscreened_loop(notifications):
    found = 0
    for notification in notifications:
        for host in HOSTS:
            expected = _unscreened_receiver(notification, host, "example.org")
            assert rhost_rules.receiver_reason(notification, host, "example.org") == expected
            found += bool(expected[0])
    assert found >= 10  # the corpus texts give receivers' tables something to read
