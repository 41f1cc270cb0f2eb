"""Per-family agreement with Sisimai on the synthetic messages of tests/data/bounces/synthetic/:
one or more messages per MTA family, each written in the layout the family's Sisimai::Lhost
module documents (synthetic: no real message of these families was available).

python bench/bounce_families.py            # per family: written-from split vs held-apart split
python bench/bounce_families.py --written  # only the split the rules were written from
python bench/bounce_families.py --pending  # disagreements the synthetic README does not list

A message counts only if Sisimai's module for its family is the one that parsed it (that
proves the message follows the layout); the comparison per recipient is bounce_oracle's, plus
"extra": an address we report as failed that Sisimai does not (a false recipient).
"""

from __future__ import annotations

import argparse
import logging
import re
from pathlib import Path

from bounce_oracle import CORPUS, Agreement, Disagreement, compare_file, sisimai_verdicts

from services.bounce.domain import parse_bounce_message

SYNTHETIC = CORPUS / "synthetic"
README = SYNTHETIC / "README.md"
SPLITS = ("written", "heldapart")
_LISTED_RE = re.compile(r"^- `([^`]+)` `([^`]*)` (recipient|extra|reason|hard_soft|status):", re.M)


def family_of(name: str) -> str:
    """The Sisimai module a synthetic file was written for ("written/X4-1.eml" -> "X4")."""
    return Path(name).stem.rsplit("-", 1)[0]


def synthetic_files(splits: tuple[str, ...] = SPLITS) -> list[str]:
    """Synthetic messages of ``splits``, relative to the corpus folder."""
    return sorted(
        str(path.relative_to(CORPUS))
        for split in splits
        for path in (SYNTHETIC / split).glob("*.eml")
    )


def unclaimed(verdicts: dict[str, list[dict[str, object]]]) -> list[str]:
    """Files that Sisimai did not parse with the module of their family (layout not shown)."""
    return [
        name
        for name, records in verdicts.items()
        if not records
        or {str(r["smtpagent"]).removeprefix("Lhost::") for r in records} != {family_of(name)}
    ]


def compare_families(splits: tuple[str, ...] = SPLITS) -> dict[str, dict[str, Agreement]]:
    """{split: {family or "all": Agreement}} over the synthetic messages of ``splits``."""
    files = synthetic_files(splits)
    verdicts = sisimai_verdicts(files)
    results: dict[str, dict[str, Agreement]] = {}
    for name in files:
        split = name.split("/")[1]
        raw = (CORPUS / name).read_bytes()
        one = compare_file(name, raw, verdicts[name])
        one.disagreements += extra_recipients(name, raw, verdicts[name])
        per_split = results.setdefault(split, {"all": Agreement()})
        per_split.setdefault(family_of(name), Agreement()).add(one)
        per_split["all"].add(one)
    return results


def extra_recipients(name: str, raw: bytes, records: list[dict[str, object]]) -> list[Disagreement]:
    """Addresses we report as failed that Sisimai does not (a Message-ID, the sender, ...)."""
    theirs = {str(r[key]).lower() for r in records for key in ("recipient", "alias") if r[key]}
    ours = [r.address for r in parse_bounce_message(raw).recipients]
    return [
        Disagreement(name, address, "extra", address, "")
        for address in ours
        if address.lower() not in theirs
    ]


def listed_disagreements() -> set[tuple[str, str, str]]:
    """(file, recipient, field) of every disagreement the synthetic README explains."""
    return {m.groups() for m in _LISTED_RE.finditer(README.read_text())}  # type: ignore[misc]  # the pattern's groups are known


def _cell(agreement: Agreement) -> str:
    a = agreement
    return (
        f"{a.found}/{a.recipients} rcpt, {a.reason_ok}/{a.recipients} reason, "
        f"{a.hard_soft_ok}/{a.hard_soft_total} hard/soft, {a.status_ok}/{a.status_total} status"
    )


def render_families(results: dict[str, dict[str, Agreement]]) -> str:
    """One row per family: agreement on each split (markdown)."""
    splits = [s for s in SPLITS if s in results]
    families = sorted({f for per in results.values() for f in per if f != "all"}, key=str.lower)
    lines = ["| family | " + " | ".join(splits) + " |", "| --- |" + " --- |" * len(splits)]
    for family in [*families, "all"]:
        cells = [_cell(results[s][family]) if family in results[s] else "-" for s in splits]
        lines.append(f"| {family} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--written", action="store_true", help="only the written-from split")
    parser.add_argument("--pending", action="store_true", help="only unlisted disagreements")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    splits = ("written",) if args.written else SPLITS
    missing = unclaimed(sisimai_verdicts(synthetic_files(splits)))
    if missing:
        print(f"not parsed by their family's Sisimai module: {missing}")
    results = compare_families(splits)
    print(render_families(results))
    for split in results:
        print(f"{split}: {_cell(results[split]['all'])}")
    listed = listed_disagreements() if README.exists() else set()
    for split in results:
        for item in results[split]["all"].disagreements:
            if not args.pending or item.key not in listed:
                print(item.line())


if __name__ == "__main__":
    main()
