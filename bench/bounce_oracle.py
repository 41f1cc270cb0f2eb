"""Differential comparison with Sisimai: our parse of every corpus message against Perl
Sisimai's verdict (Debian libsisimai-perl, one perl process over all files, JSON out).

python bench/bounce_oracle.py            # agreement per source folder and every disagreement
python bench/bounce_oracle.py --pending  # only the disagreements ORACLE.md does not list yet
python bench/bounce_oracle.py --training # without the held-out folders (while writing rules)

Compared per recipient Sisimai reports: found by us, reason (Sisimai's name read back into ours
with taxonomy.from_sisimai), hard/soft and status. Statuses are compared only where both sides
have a real code (Sisimai invents a pseudo status from its reason when the mail has none).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from services.bounce.domain import classify_smtp_reply, parse_bounce_message
from services.bounce.domain.status_codes import normalise_status
from services.bounce.domain.taxonomy import from_sisimai

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "bounces"
SCRIPT = CORPUS / "oracle" / "sisimai_verdicts.pl"
ORACLE_FILE = CORPUS / "ORACLE.md"
FIELDS = ("recipient", "reason", "hard_soft", "status")
# Source folders never read while writing rules: their figures are the honest ones.
HELD_OUT = ("baunsu", "mailparser", "salmon")
# "- `file` `recipient` field: ours X, Sisimai Y. Why." lines of ORACLE.md.
_LISTED_RE = re.compile(r"^- `([^`]+)` `([^`]*)` (recipient|reason|hard_soft|status):", re.M)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One field on which our verdict for one recipient differs from Sisimai's."""

    file: str
    recipient: str
    field: str
    ours: str
    sisimai: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.recipient, self.field)

    def line(self) -> str:
        ours, theirs = self.ours or "-", self.sisimai or "-"
        return f"- `{self.file}` `{self.recipient}` {self.field}: ours {ours}, Sisimai {theirs}."


@dataclass
class Agreement:
    """Counts of agreement with Sisimai over the recipients it reports."""

    recipients: int = 0
    found: int = 0
    reason_ok: int = 0
    hard_soft_total: int = 0
    hard_soft_ok: int = 0
    status_total: int = 0
    status_ok: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)

    def add(self, other: Agreement) -> None:
        for name in ("recipients", "found", "reason_ok", "hard_soft_total", "hard_soft_ok"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.status_total += other.status_total
        self.status_ok += other.status_ok
        self.disagreements += other.disagreements


def sisimai_available() -> bool:
    """Whether perl with Sisimai is installed (make system-deps installs libsisimai-perl)."""
    if shutil.which("perl") is None:
        return False
    probe = subprocess.run(["perl", "-MSisimai", "-e", "1"], capture_output=True, check=False)
    return probe.returncode == 0


def corpus_files() -> list[str]:
    """Every labelled corpus message, relative to the corpus folder."""
    return sorted(json.loads((CORPUS / "labels.json").read_text()))


def sisimai_verdicts(files: list[str], root: Path = CORPUS) -> dict[str, list[dict[str, object]]]:
    """Sisimai's records per file (paths relative to ``root``; one perl process); raises if
    Sisimai died on a file."""
    # Sisimai walks some of its tables with Perl's `keys`, whose order is randomised per
    # process: a text two entries match gets either verdict. A fixed hash seed makes the
    # verdicts, and so every figure, the same from run to run.
    env = {**os.environ, "PERL_HASH_SEED": "0", "PERL_PERTURB_KEYS": "0"}
    done = subprocess.run(
        ["perl", str(SCRIPT), *files],
        cwd=root,
        capture_output=True,
        check=True,
        timeout=300,
        env=env,
    )
    verdicts = json.loads(done.stdout)
    failures = {name: v for name, v in verdicts.items() if isinstance(v, dict)}
    if failures:
        raise RuntimeError(f"Sisimai failed on {failures}")
    return verdicts


def _hard_soft(softbounce: object) -> str:
    return {0: "hard", 1: "soft"}.get(int(str(softbounce)), "")


def compare_file(name: str, raw: bytes, records: list[dict[str, object]]) -> Agreement:
    """Our parse of one message against Sisimai's records for it."""
    parsed = parse_bounce_message(raw)
    ours = {}
    if parsed.kind in ("bounce", "delivery_report", "complaint"):
        ours = {r.address.lower(): r for r in parsed.recipients}
        # Sisimai may name the address as first addressed (our original_recipient).
        ours |= {r.original_recipient.lower(): r for r in parsed.recipients if r.original_recipient}
    result = Agreement()
    for record in records:
        address = str(record["recipient"]).lower()
        theirs = str(record["reason"])
        if theirs == "vacation":  # an auto-reply: not a delivery failure, no recipient to find
            continue
        result.recipients += 1
        mine = ours.get(address)
        if mine is None:
            found = ", ".join(sorted(ours)) or "none"
            result.disagreements.append(Disagreement(name, address, "recipient", found, address))
            continue
        result.found += 1
        reason = from_sisimai(theirs)
        if mine.classification.reason == reason:
            result.reason_ok += 1
        else:
            result.disagreements.append(
                Disagreement(name, address, "reason", mine.classification.reason, reason)
            )
        expected_type = _hard_soft(record["softbounce"])
        if expected_type:
            result.hard_soft_total += 1
            got_type = mine.classification.bounce_type
            if got_type == expected_type:
                result.hard_soft_ok += 1
            else:
                result.disagreements.append(
                    Disagreement(name, address, "hard_soft", got_type, expected_type)
                )
        status = normalise_status(str(record["deliverystatus"]))
        if status and status in raw.decode("latin-1"):
            result.status_total += 1
            if normalise_status(mine.status) == status:
                result.status_ok += 1
            else:
                result.disagreements.append(
                    Disagreement(name, address, "status", normalise_status(mine.status), status)
                )
    return result


def compare_corpus(training_only: bool = False) -> dict[str, Agreement]:
    """Agreement with Sisimai for the whole corpus ("all") and per source folder (without the
    held-out folders when ``training_only``)."""
    files = corpus_files()
    if training_only:
        files = [name for name in files if name.split("/", 1)[0] not in HELD_OUT]
    verdicts = sisimai_verdicts(files)
    results: dict[str, Agreement] = {"all": Agreement()}
    for name in files:
        one = compare_file(name, (CORPUS / name).read_bytes(), verdicts[name])
        results.setdefault(name.split("/", 1)[0], Agreement()).add(one)
        results["all"].add(one)
    return results


_PHRASE_INDEX_RE = re.compile(r"state \$index = \[(.*?)\];", re.S)
_QUOTED_RE = re.compile(r"'([^'\n]{6,})'")


def sisimai_phrases() -> list[tuple[str, str]]:
    """(our reason, phrase) for every phrase of the installed Sisimai's per-reason lists
    (Sisimai/Reason/*.pm ``$index``; the regular-expression lists are not read)."""
    where = subprocess.run(
        ["perl", "-MSisimai", "-e", 'print $INC{"Sisimai.pm"}'],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    phrases = []
    for module in sorted((Path(where).parent / "Sisimai" / "Reason").glob("*.pm")):
        found = _PHRASE_INDEX_RE.search(module.read_text(encoding="utf-8", errors="replace"))
        if found is None or module.stem == "Vacation":
            continue
        reason = from_sisimai(module.stem.lower())
        phrases += [(reason, phrase) for phrase in _QUOTED_RE.findall(found.group(1))]
    return phrases


def phrase_agreement() -> tuple[int, list[str]]:
    """How many of Sisimai's listed phrases we classify (as a 5xx reply) as Sisimai does, and
    the others ("phrase: ours X, Sisimai Y")."""
    agreed, others = 0, []
    for reason, phrase in sisimai_phrases():
        ours = classify_smtp_reply(550, "", phrase).reason
        if ours == reason:
            agreed += 1
        else:
            others.append(f"{phrase!r}: ours {ours}, Sisimai {reason}")
    return agreed, others


# "'reason' => [ 'phrase', ... ]" tables of the MTA modules (Sisimai/Lhost/*.pm).
_FAMILY_TABLE_RE = re.compile(r"'([a-z]+)'\s*=>\s*\[(.*?)\]", re.S)


def family_phrases() -> list[tuple[str, str]]:
    """(our reason, phrase) for every phrase of the installed Sisimai's MTA modules' reason
    tables that is wording (has a space), not a vendor's error code."""
    where = subprocess.run(
        ["perl", "-MSisimai", "-e", 'print $INC{"Sisimai.pm"}'],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    reasons = {
        module.stem.lower() for module in (Path(where).parent / "Sisimai" / "Reason").glob("*.pm")
    }
    phrases = []
    for module in sorted((Path(where).parent / "Sisimai" / "Lhost").glob("*.pm")):
        code = module.read_text(encoding="utf-8", errors="replace").split("__END__")[0]
        for table in _FAMILY_TABLE_RE.finditer(code):
            if table.group(1) not in reasons:
                continue
            reason = from_sisimai(table.group(1))
            found = re.findall(r"'([^'\n]{4,})'", table.group(2))
            phrases += [(reason, phrase) for phrase in found if " " in phrase.strip()]
    return phrases


def family_agreement() -> tuple[int, list[str]]:
    """How many of the MTA modules' phrases we classify (as a 5xx reply) as Sisimai does."""
    agreed, others = 0, []
    for reason, phrase in family_phrases():
        ours = classify_smtp_reply(550, "", phrase).reason
        if ours == reason:
            agreed += 1
        else:
            others.append(f"{phrase!r}: ours {ours}, Sisimai {reason}")
    return agreed, others


def listed_disagreements() -> set[tuple[str, str, str]]:
    """(file, recipient, field) of every disagreement ORACLE.md explains."""
    return {m.groups() for m in _LISTED_RE.finditer(ORACLE_FILE.read_text())}  # type: ignore[misc]  # the pattern's groups are known


def render_figures(results: dict[str, Agreement]) -> str:
    """The agreement table (markdown)."""
    sources = ["all", *sorted(k for k in results if k != "all")]

    def pct(part: int, whole: int) -> str:
        return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "-"

    rows = [
        ("recipients found", lambda a: pct(a.found, a.recipients)),
        ("reason = Sisimai's", lambda a: pct(a.reason_ok, a.recipients)),
        ("hard/soft = Sisimai's", lambda a: pct(a.hard_soft_ok, a.hard_soft_total)),
        ("status = Sisimai's (real codes)", lambda a: pct(a.status_ok, a.status_total)),
    ]
    lines = ["| measure | " + " | ".join(sources) + " |", "| --- |" + " ---: |" * len(sources)]
    for title, cell in rows:
        lines.append(f"| {title} | " + " | ".join(cell(results[s]) for s in sources) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", action="store_true", help="only unlisted disagreements")
    parser.add_argument("--training", action="store_true", help="leave the held-out folders out")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    results = compare_corpus(args.training)
    print(render_figures(results))
    listed = listed_disagreements() if ORACLE_FILE.exists() else set()
    counts = Counter(d.field for d in results["all"].disagreements)
    agreed, others = phrase_agreement()
    print(f"\nSisimai's listed phrases read alike: {agreed}/{agreed + len(others)}")
    family_agreed, family_others = family_agreement()
    total = family_agreed + len(family_others)
    print(f"Sisimai's MTA modules' phrases read alike: {family_agreed}/{total}")
    print(f"\ndisagreements: {dict(counts)}")
    for item in results["all"].disagreements:
        if not args.pending or item.key not in listed:
            print(item.line())


if __name__ == "__main__":
    main()
