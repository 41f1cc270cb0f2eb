"""Large receivers' documented reply lines scored through the real parse path.

python bench/bounce_providers.py            # study and the held-apart sets' figures
python bench/bounce_providers.py --misses   # + the study set's misses (never a held set's)

Each line of tests/data/bounces/synthetic/providers/{study,heldapart,heldapart2,heldapart3}.json
(large receivers', filtering gateways' and stock MTAs' replies as their public pages, sources or
default configurations word them, with the Sisimai 5 reason the documented meaning implies) is
put in a DSN (bench/synthetic_bounces.py's RFC 3464 carrier: Action failed, or delayed for a
4xx; the reply in Diagnostic-Code at RCPT TO; Remote-MTA the vendor's host) and parsed by
``parse_bounce_message``. The expected hard/soft follows from the expected reason and the reply
code as our taxonomy reads a delivery report. The held-apart sets were frozen before the rules
they judge: their misses are counted, not printed.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from sisimai_texts import SourceText
from synthetic_bounces import Case, render

from services.bounce.domain import parse_bounce_message
from services.bounce.domain.taxonomy import address_refused, classification_for

PROVIDERS = Path(__file__).resolve().parents[1] / "tests/data/bounces/synthetic/providers"
SETS = {
    "study": "study.json",
    "held-apart": "heldapart.json",
    "held-apart-2": "heldapart2.json",
    "held-apart-3": "heldapart3.json",
}


@dataclass(frozen=True, slots=True)
class Scored:
    """One documented line: what we read and what its vendor's meaning implies."""

    vendor: str
    line: str
    expected_reason: str
    expected_type: str
    ours_reason: str
    ours_type: str


def case_of(number: int, entry: dict[str, object]) -> Case:
    """The DSN case quoting ``entry``'s reply at the RCPT TO stage."""
    code = int(str(entry["code"]))
    status = str(entry["status"])
    action = "delayed" if 400 <= code < 500 else "failed"
    report_status = status or f"{str(code)[0]}.0.0"
    source = SourceText(f"provider:{entry['vendor']}", str(entry["text"]), str(entry["host"]))
    return Case(number, "dsn", source, code, report_status, status, "table", "RCPT", action)


def expected_type(reason: str, code: int) -> str:
    """Hard/soft of ``reason`` on a ``code`` reply, read as a delivery report reads it."""
    return address_refused(classification_for(reason, code, "expected")).bounce_type


def score(entries: list[dict[str, object]]) -> list[Scored]:
    """Every entry parsed and compared with its expected verdict."""
    scored = []
    for number, entry in enumerate(entries):
        case = case_of(number, entry)
        parsed = parse_bounce_message(render(case))
        mine = next((r for r in parsed.recipients if r.address == case.recipient), None)
        reason = str(entry["reason"])
        scored.append(
            Scored(
                str(entry["vendor"]),
                case.reply(),
                reason,
                expected_type(reason, case.code),
                mine.classification.reason if mine else "",
                mine.classification.bounce_type if mine else "",
            )
        )
    return scored


def load(name: str) -> list[dict[str, object]]:
    """The entries of one set (a name of ``SETS``)."""
    entries: list[dict[str, object]] = json.loads((PROVIDERS / SETS[name]).read_text("utf-8"))
    return entries


def figures(scored: list[Scored]) -> str:
    """The figures of one set: reason and hard/soft agreement."""
    total = len(scored)
    reasons = sum(s.ours_reason == s.expected_reason for s in scored)
    types = sum(s.ours_type == s.expected_type for s in scored)
    return (
        f"reason {reasons}/{total} ({reasons / total:.1%}), "
        f"hard/soft {types}/{total} ({types / total:.1%})"
    )


def print_sets(
    sets: dict[str, list[dict[str, object]]], *, show_study_misses: bool, width: int
) -> None:
    """Each set's figures; the misses of the set named "study" only when asked (a held set's
    misses are counted, never printed)."""
    for name, entries in sets.items():
        scored = score(entries)
        print(f"{name:{width}} {len(scored):3} lines: {figures(scored)}")
        if show_study_misses and name == "study":
            for miss in scored:
                if (miss.ours_reason, miss.ours_type) != (miss.expected_reason, miss.expected_type):
                    print(
                        f"  {miss.vendor}: ours {miss.ours_reason or '-'}/{miss.ours_type or '-'}"
                        f", expected {miss.expected_reason}/{miss.expected_type}: {miss.line[:110]}"
                    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print the study set's misses")
    options = parser.parse_args()
    print_sets({name: load(name) for name in SETS}, show_study_misses=options.misses, width=12)


if __name__ == "__main__":
    main()
