"""Session 10's exact speed-ups of the parse, each checked against the slow path it skips:
autoreply's screen in front of the address parse of From/To (a local part "root" cannot come
out of text the screen passes over)."""

from __future__ import annotations

import email.utils
import itertools
from pathlib import Path

import pytest

from services.bounce.domain import autoreply
from services.bounce.domain.mime_tree import parse_message

CORPUS = Path(__file__).resolve().parents[2] / "data" / "bounces"
# Around and inside the word: what the address parser treats specially, and some letters.
_INSERTED = [chr(code) for code in range(0x250)] + ['""', "()", "(x)", "\\\\", "\r\n", "\u0130"]
_SHAPES = ("{}", "<{}>", "Name <{}>", '"{}"', "{} (Name)", "group: {};", "a@b.example, {}")


def _names_root(value: str) -> bool:
    return any(a.lower().startswith("root@") for _, a in email.utils.getaddresses([value]))


def _variants() -> list[str]:
    words = ["ROOT", "Root"]
    for inserted, at in itertools.product(_INSERTED, range(5)):
        words.append("root"[:at] + inserted + "root"[at:])
    return [shape.format(f"{word}@host.example") for word in words for shape in _SHAPES]


def test_no_address_named_root_escapes_the_screen():
    variants = _variants()
    named = [value for value in variants if _names_root(value)]
    assert len(named) > len(_SHAPES) * 2  # the variants do reach "root@" through the parser
    assert [value for value in named if not autoreply._may_name_root(value)] == []


@pytest.mark.parametrize("value", ["MAILER-DAEMON@example.org", "Mail System <postmaster@x.org>"])
def test_the_screen_passes_over_ordinary_senders(value: str) -> None:
    assert not autoreply._may_name_root(value)


def test_system_mail_as_without_the_screen_on_every_corpus_file():
    for path in sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".eml", ".msg")):
        msg = parse_message(path.read_bytes())
        values = [str(msg.get("from", "")), str(msg.get("to", ""))]
        if any(map(_names_root, values)):
            assert any(map(autoreply._may_name_root, values)), path
