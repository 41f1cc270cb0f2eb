"""Diagnostic texts for the synthetic differential harness (bench/bounce_synthetic.py), drawn
from the installed Perl Sisimai and from the corpus: every phrase of its per-reason lists
(Sisimai/Reason/*.pm, the quoted lists and one example per alternative of the regular
expressions), the strings of its receiver tables (Sisimai/Rhost/*.pm, each with a host name
its table applies to), the codes of its SMTP::Status table, and the diagnostics our parser
reads from the corpus messages rules were written from (never the held-out folders).
"""

from __future__ import annotations

import json
import re
import subprocess
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants as c
    import sre_parse

from services.bounce.domain import parse_bounce_message

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "bounces"
HELD_OUT_FOLDERS = ("baunsu", "mailparser", "salmon")
# A host name each Sisimai::Rhost table applies to (Sisimai::Rhost's RhostClass patterns).
RHOST_HOSTS = {
    "Cox": "mx.east.cox.net",
    "ExchangeOnline": "example-net.mail.protection.outlook.com",
    "FrancePTT": "smtp-in.orange.fr",
    "GoDaddy": "smtp.secureserver.net",
    "GoogleApps": "aspmx.l.google.com",
    "IUA": "mx.email.ua",
    "KDDI": "lsean.ezweb.ne.jp",
    "Mimecast": "eu-smtp-inbound-1.mimecast.com",
    "NTTDOCOMO": "mfsmax.docomo.ne.jp",
    "Spectrum": "mx.charter.net",
    "TencentQQ": "mx3.qq.com",
}


@dataclass(frozen=True, slots=True)
class SourceText:
    """One diagnostic text and where it came from (``source`` "reason:Blocked",
    "rhost:Cox", "corpus"); ``host`` is the receiving host it is written for ("" for any)."""

    source: str
    text: str
    host: str = ""


def sisimai_root() -> Path:
    """The folder of the installed Sisimai's modules."""
    where = subprocess.run(
        ["perl", "-MSisimai", "-e", 'print $INC{"Sisimai.pm"}'],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return Path(where).parent / "Sisimai"


def _code(module: Path) -> str:
    return module.read_text(encoding="utf-8", errors="replace").split("__END__")[0]


_QUOTED_RE = re.compile(r"'((?:[^'\\\n]|\\.){4,})'")
_INDEX_RE = re.compile(r"state \$index = \[(.*?)\];", re.S)


def _balanced(code: str, start: int) -> str:
    """The text between the brace at ``start`` and the one that closes it."""
    depth, at = 0, start
    while at < len(code):
        char = code[at]
        if char == "\\":
            at += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return code[start + 1 : at]
        at += 1
    return ""


_REPEATED_FILLER = {True: "example", False: "5"}


def _examples(nodes: Any, limit: int = 2) -> list[str]:
    """Up to ``limit`` strings matching the parsed pattern ``nodes`` (alternatives expanded)."""
    results = [""]
    for op, arg in nodes:
        if op is c.LITERAL:
            options = [chr(arg)]
        elif op is c.NOT_LITERAL or op is c.ANY:
            options = ["x" if op is c.ANY or arg != ord("x") else "y"]
        elif op is c.IN:
            options = [_class_example(arg)]
        elif op is c.BRANCH:
            options = [e for branch in arg[1] for e in _examples(branch, limit)][:limit]
        elif op is c.SUBPATTERN:
            options = _examples(arg[3], limit)
        elif op is c.ATOMIC_GROUP:
            options = _examples(arg, limit)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, _, inner = arg
            options = _repeat_examples(low, inner, limit)
        elif op is c.CATEGORY:
            options = [_category_example(arg)]
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            options = [""]
        else:
            return []
        results = [r + o for r in results for o in options][:limit]
    return results


def _repeat_examples(low: int, inner: Any, limit: int) -> list[str]:
    if low == 0:
        return [""]
    if len(inner) == 1 and inner[0][0] in (c.ANY, c.IN):
        single = _examples(inner, 1)
        if single and single[0] in ("x", "a", "y"):
            return [_REPEATED_FILLER[True]]
        if single and single[0] == "5":
            return [_REPEATED_FILLER[False]]
    return [e * low for e in _examples(inner, limit)]


def _class_example(items: Any) -> str:
    if items and items[0][0] is c.NEGATE:
        excluded = {arg for op, arg in items[1:] if op is c.LITERAL}
        return "x" if ord("x") not in excluded else "y"
    op, arg = items[0]
    if op is c.LITERAL:
        return chr(arg)
    if op is c.RANGE:
        return chr(arg[0]) if chr(arg[0]) != "0" else "5"
    return _category_example(arg)


def _category_example(category: Any) -> str:
    name = str(category).lower()
    return "5" if "digit" in name else " " if "space" in name else "a"


def regex_examples(perl_regex: str) -> list[str]:
    """One example per alternative of a Perl /x regular expression (those Python reads;
    each example checked against the expression itself)."""
    python = perl_regex.replace(r"\z", r"\Z").replace("[ ]", r"\ ")
    try:
        compiled = re.compile(python, re.X)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            parsed = sre_parse.parse(python, re.X)
    except (re.error, RecursionError):
        return []
    nodes: list[Any] = list(parsed.data)
    while len(nodes) == 1 and nodes[0][0] in (c.ATOMIC_GROUP, c.SUBPATTERN):
        op, arg = nodes[0]
        nodes = list(arg if op is c.ATOMIC_GROUP else arg[3])
    branches = nodes[0][1][1] if len(nodes) == 1 and nodes[0][0] is c.BRANCH else [nodes]
    found = []
    for branch in branches:
        for example in _examples(branch, 1):
            text = " ".join(example.split())
            if len(text) >= 4 and compiled.search(text):
                found.append(text)
    return found


@cache
def reason_texts() -> tuple[SourceText, ...]:
    """Every phrase of Sisimai's per-reason lists and regular expressions."""
    texts = []
    for module in sorted((sisimai_root() / "Reason").glob("*.pm")):
        if module.stem in ("Vacation", "Delivered", "Feedback"):
            continue
        code = _code(module)
        source = f"reason:{module.stem}"
        for index in _INDEX_RE.finditer(code):
            texts += [SourceText(source, p) for p in _QUOTED_RE.findall(index.group(1))]
        for found in re.finditer(r"state \$regex = qr(\{)", code):
            regex = _balanced(code, found.start(1))
            texts += [SourceText(source, e) for e in regex_examples(regex)]
    return tuple(dict.fromkeys(texts))


_NOT_TEXT_RE = re.compile(r"^(?:[245](?:\.\d+){0,2}\.?|\d+|[a-z]+|Sisimai.*|.*::.*|\\.*)$")


@cache
def rhost_texts() -> tuple[SourceText, ...]:
    """The strings of Sisimai's receiver tables, each with a host its table applies to."""
    texts = []
    for module in sorted((sisimai_root() / "Rhost").glob("*.pm")):
        host = RHOST_HOSTS.get(module.stem)
        if host is None:
            continue
        for text in _QUOTED_RE.findall(_code(module)):
            if not _NOT_TEXT_RE.match(text) and "$" not in text:
                texts.append(SourceText(f"rhost:{module.stem}", text.replace("\\'", "'"), host))
    return tuple(dict.fromkeys(texts))


_STATUS_KEY_RE = re.compile(r"^\s*'([45]\.\d\.\d+)'\s*=>\s*'([a-z]+)'", re.M)


@cache
def status_table() -> dict[str, str]:
    """Sisimai's SMTP::Status table: failure status -> its reason name."""
    code = _code(sisimai_root() / "SMTP" / "Status.pm")
    return dict(_STATUS_KEY_RE.findall(code))


_LEADING_CODE_RE = re.compile(
    r"^(?:smtp;\s*)?(?:[45]\d\d[ -])?(?:[45]\.\d{1,3}\.\d{1,3}\s+)?", re.I
)


@cache
def corpus_texts() -> tuple[SourceText, ...]:
    """The diagnostics our parser reads from the training corpus (held-out folders left
    out), without their leading reply code and status (the harness varies those)."""
    texts = []
    for name in sorted(json.loads((CORPUS / "labels.json").read_text())):
        if name.split("/", 1)[0] in HELD_OUT_FOLDERS:
            continue
        for recipient in parse_bounce_message((CORPUS / name).read_bytes()).recipients:
            text = _LEADING_CODE_RE.sub("", " ".join(recipient.diagnostic.split()))
            if 6 <= len(text) <= 300:
                texts.append(SourceText("corpus", text))
    return tuple(dict.fromkeys(texts))
