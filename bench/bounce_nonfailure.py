"""Complaints, auto-replies and non-failure DSNs: our parse of the synthetic messages in
tests/data/bounces/synthetic/nonfailure/ against their labels (labels.json there: Sisimai 4.25's
verdict where Sisimai reads the message right, else the RFC's answer, each with its source).

python bench/bounce_nonfailure.py            # figures per split (study, held) and disagreements
python bench/bounce_nonfailure.py --study    # only the study split (the one rules are written from)
python bench/bounce_nonfailure.py --labels   # check the Sisimai-sourced labels against Sisimai

Compared per message: the kind; per labelled recipient: found, reason, hard/soft, feedback type
and the outcome it produces (complaint, delivered, deferred, bounce, or none); and any address we
report that the label does not have ("extra"). The held split was written and labelled before
the rules of round 8b and is never read to write them.
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass, field

from bounce_oracle import CORPUS, sisimai_verdicts

from services.bounce.domain import parse_bounce_message
from services.bounce.domain.outcomes import outcome_kind
from services.bounce.domain.taxonomy import from_sisimai

NONFAILURE = CORPUS / "synthetic" / "nonfailure"
LABELS = NONFAILURE / "labels.json"
SPLITS = ("study", "held")
MEASURES = ("kind", "found", "reason", "hard_soft", "feedback_type", "outcome")


@dataclass(frozen=True, slots=True)
class Miss:
    """One field on which our verdict differs from the label."""

    file: str
    recipient: str
    field: str
    ours: str
    label: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.recipient, self.field)

    def line(self) -> str:
        return (
            f"- `{self.file}` `{self.recipient}` {self.field}: "
            f"ours {self.ours or '-'}, label {self.label or '-'}."
        )


@dataclass
class Score:
    """Agreement counts of one split: messages, labelled recipients, and every miss."""

    messages: int = 0
    recipients: int = 0
    ok: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))
    misses: list[Miss] = field(default_factory=list)

    def cell(self, measure: str) -> str:
        whole = self.messages if measure == "kind" else self.recipients
        return f"{self.ok[measure]}/{whole}"


def labels() -> dict[str, dict[str, object]]:
    """The labels, by path relative to the nonfailure folder ("study/x.eml")."""
    loaded: dict[str, dict[str, object]] = json.loads(LABELS.read_text())
    return loaded


def _check(score: Score, miss: Miss) -> None:
    if miss.ours == miss.label:
        score.ok[miss.field] += 1
    else:
        score.misses.append(miss)


def score_message(name: str, label: dict[str, object], score: Score) -> None:
    """Add our verdict on one message, against its label, to ``score``."""
    parsed = parse_bounce_message((NONFAILURE / name).read_bytes())
    score.messages += 1
    _check(score, Miss(name, "", "kind", parsed.kind, str(label["kind"])))
    ours = {r.address.lower(): r for r in parsed.recipients}
    ours |= {r.original_recipient.lower(): r for r in parsed.recipients if r.original_recipient}
    expected: dict[str, dict[str, str]] = label["recipients"]  # type: ignore[assignment]
    for address, want in expected.items():
        score.recipients += 1
        mine = ours.get(address.lower())
        if mine is None:
            score.misses.append(Miss(name, address, "found", ", ".join(sorted(ours)), address))
            continue
        score.ok["found"] += 1
        kind = outcome_kind(parsed, mine) or ""
        got = {
            "reason": mine.classification.reason,
            "hard_soft": mine.classification.bounce_type,
            "feedback_type": parsed.feedback_type,
            "outcome": kind,
        }
        for measure in ("reason", "hard_soft", "feedback_type", "outcome"):
            _check(score, Miss(name, address, measure, got[measure], want.get(measure, "")))
    wanted = {address.lower() for address in expected}
    for address in sorted(set(ours) - wanted):
        score.misses.append(Miss(name, address, "extra", address, ""))


def score_splits(splits: tuple[str, ...] = SPLITS) -> dict[str, Score]:
    """{split: Score} over the labelled messages of ``splits``."""
    results = {split: Score() for split in splits}
    for name, label in labels().items():
        split = name.split("/", 1)[0]
        if split in results:
            score_message(name, label, results[split])
    return results


def sisimai_label_mismatches() -> list[str]:
    """Labels that say they are Sisimai's verdict but no longer match what Sisimai says."""
    sourced = {n: lab for n, lab in labels().items() if str(lab["source"]).startswith("Sisimai")}
    root = NONFAILURE.relative_to(CORPUS)
    verdicts = sisimai_verdicts([str(root / name) for name in sourced])
    problems = []
    for name, label in sourced.items():
        records = verdicts[str(root / name)]
        theirs = {str(r["recipient"]).lower(): from_sisimai(str(r["reason"])) for r in records}
        expected: dict[str, dict[str, str]] = label["recipients"]  # type: ignore[assignment]
        ours = {address.lower(): want["reason"] for address, want in expected.items()}
        if theirs != ours:
            problems.append(f"{name}: label {ours}, Sisimai {theirs}")
        types = {str(r["feedbacktype"]).lower() for r in records if r["feedbacktype"]}
        labelled = {want.get("feedback_type", "") for want in expected.values()} - {""}
        if types != labelled:
            problems.append(f"{name}: feedback type label {labelled}, Sisimai {types}")
    return problems


def render(results: dict[str, Score]) -> str:
    """A markdown table, one column per split."""
    lines = ["| measure | " + " | ".join(results) + " |", "| --- |" + " ---: |" * len(results)]
    for measure in MEASURES:
        cells = [score.cell(measure) for score in results.values()]
        lines.append(f"| {measure} | " + " | ".join(cells) + " |")
    extra = [str(sum(m.field == "extra" for m in s.misses)) for s in results.values()]
    lines.append("| extra recipients | " + " | ".join(extra) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", action="store_true", help="only the study split")
    parser.add_argument("--labels", action="store_true", help="check labels against Sisimai")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    if args.labels:
        print("\n".join(sisimai_label_mismatches()) or "labels agree with Sisimai")
        return
    results = score_splits(("study",) if args.study else SPLITS)
    print(render(results))
    for score in results.values():
        for miss in score.misses:
            print(miss.line())


if __name__ == "__main__":
    main()
