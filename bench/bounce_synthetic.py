"""Differential harness: our bounce classification against Perl Sisimai on generated messages.

python bench/bounce_synthetic.py                 # figures for both parts
python bench/bounce_synthetic.py --causes study  # + the study part's disagreements by cause
python bench/bounce_synthetic.py --phrases       # each documented phrase alone, by context

Generates bounces (bench/synthetic_bounces.py: four carriers, diagnostic texts from Sisimai's
own phrase lists, receiver tables and status table and from our training corpus, varied reply
code, status, stage and action), runs Perl Sisimai 4.25 over all of them in one process and
compares, per message, the reason, hard/soft and the status (where one was written). The
texts are split by a fixed hash: "study" is read while fixing rules, "held" never is (its
disagreements are not printable here, only its figures).

Sisimai 5 split new reasons out of 4.25 ones; where we give the Sisimai 5 reason, the 4.25
verdict agrees when it is one the new reason took its wording from (``SISIMAI5_SPLITS``).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bounce_oracle import sisimai_verdicts
from synthetic_bounces import Case, generate, part, phrase_cases, render

from services.bounce.domain import parse_bounce_message
from services.bounce.domain.status_codes import normalise_status
from services.bounce.domain.taxonomy import from_sisimai

# Sisimai 5 reason (ours) -> the 4.25 reasons whose wording it took over (Sisimai 5's
# Reason/*.pm and ChangeLog: SPF/DKIM/DMARC failures were blocked, securityerror or
# policyviolation; reputation and missing PTR wording was blocked; "multiple From" was
# policyviolation or contenterror; sending-rate limits were toomanyconn; STARTTLS failures
# were securityerror).
SISIMAI5_SPLITS: dict[str, frozenset[str]] = {
    "auth_failure": frozenset({"blocked", "securityerror", "policyviolation"}),
    "bad_reputation": frozenset({"blocked"}),
    "require_ptr": frozenset({"blocked"}),
    "not_compliant_rfc": frozenset({"policyviolation", "contenterror"}),
    "speeding": frozenset({"toomanyconn"}),
    "failed_starttls": frozenset({"securityerror"}),
}
DEFAULT_COUNT = 1600


def reason_agrees(ours: str, sisimai_425: str) -> bool:
    """Whether our reason is Sisimai's, read through the Sisimai 5 splits."""
    return ours == from_sisimai(sisimai_425) or sisimai_425 in SISIMAI5_SPLITS.get(ours, ())


@dataclass(frozen=True, slots=True)
class Outcome:
    """Our verdict and Sisimai's for one case (empty strings: that side found nothing)."""

    case: Case
    ours_reason: str
    ours_type: str
    ours_status: str
    sisimai_reason: str
    sisimai_type: str
    sisimai_status: str

    def cause(self, field_name: str) -> str:
        """The disagreement's group: which verdicts differ."""
        verdicts = {
            "reason": (self.ours_reason, from_sisimai(self.sisimai_reason)),
            "hard_soft": (self.ours_type, self.sisimai_type),
            "status": (self.ours_status, self.sisimai_status),
        }[field_name]
        return f"{field_name}: ours {verdicts[0] or '-'}, Sisimai {verdicts[1] or '-'}"

    def context(self) -> tuple[str, ...]:
        """What varied around the text: read against a cause, it shows what decides it."""
        case = self.case
        return (
            f"carrier {case.carrier}",
            f"stage {case.stage or '-'}",
            f"status {case.status_mode}",
            f"code {str(case.code)[0] + 'xx' if case.code else '-'}",
            f"action {case.action}",
            f"text {case.source.source.split(':')[0]}",
        )


@dataclass
class Tally:
    """Agreement counts of one part."""

    cases: int = 0
    sisimai_read: int = 0
    found: int = 0
    reason_ok: int = 0
    hard_soft_total: int = 0
    hard_soft_ok: int = 0
    status_total: int = 0
    status_ok: int = 0
    causes: Counter[str] = field(default_factory=Counter)
    contexts: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        self.cases += 1
        if not outcome.sisimai_reason:
            return
        self.sisimai_read += 1
        if not outcome.ours_reason:
            self._disagree("recipient: ours none", outcome)
            return
        self.found += 1
        if reason_agrees(outcome.ours_reason, outcome.sisimai_reason):
            self.reason_ok += 1
        else:
            self._disagree(outcome.cause("reason"), outcome)
        if outcome.sisimai_type:
            self.hard_soft_total += 1
            if outcome.ours_type == outcome.sisimai_type:
                self.hard_soft_ok += 1
            else:
                self._disagree(outcome.cause("hard_soft"), outcome)
        if outcome.sisimai_status and outcome.sisimai_status in outcome.case.reply() + " " + (
            outcome.case.status
        ):  # Sisimai's own pseudo statuses (X.0.9xx) are not compared
            self.status_total += 1
            if outcome.ours_status == outcome.sisimai_status:
                self.status_ok += 1
            else:
                self._disagree(outcome.cause("status"), outcome)

    def _disagree(self, cause: str, outcome: Outcome) -> None:
        self.causes[cause] += 1
        self.contexts.setdefault(cause, Counter()).update(outcome.context())
        case = outcome.case
        example = (
            f"#{case.number} {case.carrier} {case.action} status {case.status or '-'} "
            f"stage {case.stage or '-'}: {case.reply()!r}"
        )
        self.examples.setdefault(cause, []).append(example)

    def ratio(self, name: str) -> float:
        whole = {
            "found": self.sisimai_read,
            "reason_ok": self.sisimai_read,
            "hard_soft_ok": self.hard_soft_total,
            "status_ok": self.status_total,
        }[name]
        return getattr(self, name) / whole if whole else 0.0


def _hard_soft(softbounce: object) -> str:
    return {0: "hard", 1: "soft"}.get(int(str(softbounce)), "")


def outcome(case: Case, raw: bytes, records: list[dict[str, object]]) -> Outcome:
    """Both verdicts for ``case`` (its recipient's record on each side)."""
    theirs = next((r for r in records if str(r["recipient"]).lower() == case.recipient), None)
    parsed = parse_bounce_message(raw)
    mine = next(
        (r for r in parsed.recipients if case.recipient in (r.address, r.original_recipient)),
        None,
    )
    return Outcome(
        case,
        mine.classification.reason if mine else "",
        mine.classification.bounce_type if mine else "",
        normalise_status(mine.status) if mine else "",
        str(theirs["reason"]) if theirs else "",
        _hard_soft(theirs["softbounce"]) if theirs else "",
        normalise_status(str(theirs["deliverystatus"])) if theirs else "",
    )


def outcomes(cases: list[Case]) -> list[Outcome]:
    """Both parsers' verdicts for every case (Sisimai in one process)."""
    with tempfile.TemporaryDirectory(prefix="bounce-synthetic-") as folder:
        root = Path(folder)
        raws = {}
        for case in cases:
            raws[case.number] = render(case)
            (root / f"{case.number}.eml").write_bytes(raws[case.number])
        verdicts = sisimai_verdicts([f"{case.number}.eml" for case in cases], root)
    return [outcome(c, raws[c.number], verdicts[f"{c.number}.eml"]) for c in cases]


def tally(found: list[Outcome]) -> dict[str, Tally]:
    """The outcomes tallied by part ("study", "held")."""
    tallies = {"study": Tally(), "held": Tally()}
    for one in found:
        tallies[part(one.case.source)].add(one)
    return tallies


def run(count: int = DEFAULT_COUNT, seed: int = 14) -> dict[str, Tally]:
    """Generate ``count`` cases, run both parsers and tally each part ("study", "held")."""
    return tally(outcomes(generate(count, seed)))


def phrase_report(found: list[Outcome]) -> list[str]:
    """Per part, how many documented phrases read alike in every context of
    ``PHRASE_CONTEXTS``, then each study-part phrase read differently with the contexts
    where it is (the held part's phrases are only counted)."""
    by_text: dict[tuple[str, str], list[Outcome]] = {}
    for one in found:
        by_text.setdefault((one.case.source.source, one.case.source.text), []).append(one)
    alike = Counter[str]()
    phrases = Counter[str]()
    gaps = []
    for (source, text), group in by_text.items():
        where = part(group[0].case.source)
        phrases[where] += 1
        differ = [o for o in group if o.sisimai_reason and not reason_agrees(
            o.ours_reason, o.sisimai_reason)]  # fmt: skip
        if not differ:
            alike[where] += 1
        elif where == "study":
            contexts = "; ".join(
                f"{o.case.carrier} {o.case.action} {o.case.written_status or '-'}: "
                f"ours {o.ours_reason or '-'}, Sisimai {from_sisimai(o.sisimai_reason)}"
                for o in differ
            )
            gaps.append(f"  [{source}] {text!r}\n      {contexts}")
    lines = [f"{p}: {alike[p]}/{phrases[p]} phrases read alike in every context" for p in
             ("study", "held")]  # fmt: skip
    return [*lines, f"\n{len(gaps)} study phrases read differently:", *sorted(gaps)]


def render_figures(tallies: dict[str, Tally]) -> str:
    """The agreement table (markdown), one column per part."""

    def pct(part_: int, whole: int) -> str:
        return f"{part_}/{whole} ({100 * part_ / whole:.1f}%)" if whole else "-"

    rows = [
        ("messages read by Sisimai", lambda t: pct(t.sisimai_read, t.cases)),
        ("recipient found", lambda t: pct(t.found, t.sisimai_read)),
        ("reason = Sisimai's", lambda t: pct(t.reason_ok, t.sisimai_read)),
        ("hard/soft = Sisimai's", lambda t: pct(t.hard_soft_ok, t.hard_soft_total)),
        ("status = Sisimai's (written codes)", lambda t: pct(t.status_ok, t.status_total)),
    ]
    lines = ["| measure | study | held apart |", "| --- | ---: | ---: |"]
    for title, cell in rows:
        lines.append(f"| {title} | {cell(tallies['study'])} | {cell(tallies['held'])} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--causes", choices=("study",), help="print that part's disagreements")
    parser.add_argument("--examples", type=int, default=3, help="examples per cause")
    parser.add_argument(
        "--phrases", action="store_true", help="each documented phrase alone, in six contexts"
    )
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    if args.phrases:
        found = outcomes(phrase_cases())
        print(render_figures(tally(found)) + "\n")
        print("\n".join(phrase_report(found)))
        return
    tallies = run(args.count, args.seed)
    print(render_figures(tallies))
    if args.causes:
        study = tallies["study"]
        print(f"\n{sum(study.causes.values())} disagreements in {len(study.causes)} causes")
        for cause, number in study.causes.most_common():
            print(f"\n{number:4d}  {cause}")
            common = study.contexts[cause].most_common()
            print("      " + ", ".join(f"{name} {n}" for name, n in common if n * 2 > number))
            for example in study.examples[cause][: args.examples]:
                print(f"        {example[:220]}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
