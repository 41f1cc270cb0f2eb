"""Whole bounce notices in other languages and layouts, scored through the real parse path.

python bench/bounce_notices.py            # every folder's figures
python bench/bounce_notices.py --misses   # + the study folder's misses (never another's)

Each folder under tests/data/bounces/synthetic/notices/ holding a labels.json is a set of whole
messages (Japanese carriers, localised Exchange/Outlook and Domino reports, Russian, Chinese and
Korean providers, translated Postfix/Exim notices) with, per file, its failed recipients and the
Sisimai 5 reason its text implies. ``study`` was read while writing the rules; any other folder
(a blind held set) is only counted. Per folder: recipients found (messages whose set is exact;
expected recipients found; recipients found that are not expected), and per expected recipient
found, reason and hard/soft right. The expected hard/soft is ``bounce_providers.expected_type``
of the expected reason on the reply code the label quotes (0 when the notice quotes none).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from bounce_providers import expected_type

from services.bounce.domain import parse_bounce_message

NOTICES = Path(__file__).resolve().parents[1] / "tests/data/bounces/synthetic/notices"
STUDY = "study"


@dataclass(frozen=True, slots=True)
class Verdict:
    """One expected recipient of one message: what we read and what its label says."""

    file: str
    address: str
    expected_reason: str
    expected_type: str
    ours_reason: str  # "" when the recipient was not found
    ours_type: str


@dataclass(frozen=True, slots=True)
class Scored:
    """One message: its expected recipients' verdicts and the recipients we read."""

    file: str
    verdicts: tuple[Verdict, ...]
    found: tuple[str, ...]

    @property
    def exact(self) -> bool:
        """Whether the recipients read are exactly the labelled ones."""
        return {a.lower() for a in self.found} == {v.address.lower() for v in self.verdicts}

    @property
    def extra(self) -> tuple[str, ...]:
        """Recipients read that the label does not name (false recipients)."""
        expected = {v.address.lower() for v in self.verdicts}
        return tuple(a for a in self.found if a.lower() not in expected)


def folders() -> list[Path]:
    """Every folder of ``NOTICES`` with a labels.json, the study folder first."""
    found = sorted(p.parent for p in NOTICES.glob("*/labels.json"))
    return sorted(found, key=lambda p: p.name != STUDY)


def load(folder: Path) -> dict[str, dict[str, object]]:
    """A folder's labels: file name to its label."""
    labels: dict[str, dict[str, object]] = json.loads((folder / "labels.json").read_text("utf-8"))
    return labels


def score_file(folder: Path, name: str, label: dict[str, object]) -> Scored:
    """One message parsed and compared with its label."""
    parsed = parse_bounce_message((folder / name).read_bytes())
    ours = {r.address.lower(): r.classification for r in parsed.recipients}
    reason = str(label["reason"])
    code = int(str(label.get("code", 0)))
    verdicts = []
    for address in label["recipients"]:  # type: ignore[attr-defined]
        mine = ours.get(str(address).lower())
        verdicts.append(
            Verdict(
                name,
                str(address),
                reason,
                expected_type(reason, code),
                mine.reason if mine else "",
                mine.bounce_type if mine else "",
            )
        )
    return Scored(name, tuple(verdicts), tuple(r.address for r in parsed.recipients))


def score(folder: Path) -> list[Scored]:
    """Every labelled message of ``folder``, scored."""
    return [score_file(folder, name, label) for name, label in sorted(load(folder).items())]


def figures(scored: list[Scored]) -> str:
    """A folder's figures."""
    verdicts = [v for s in scored for v in s.verdicts]
    total = len(verdicts)
    found = sum(bool(v.ours_reason) for v in verdicts)
    exact = sum(s.exact for s in scored)
    extra = sum(len(s.extra) for s in scored)
    reasons = sum(v.ours_reason == v.expected_reason for v in verdicts)
    types = sum(v.ours_type == v.expected_type for v in verdicts)
    return (
        f"exact sets {exact}/{len(scored)}, recipients {found}/{total} (+{extra} false), "
        f"reason {reasons}/{total} ({reasons / total:.1%}), "
        f"hard/soft {types}/{total} ({types / total:.1%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print the study folder's misses")
    options = parser.parse_args()
    for folder in folders():
        scored = score(folder)
        print(f"{folder.name:14} {len(scored):3} messages: {figures(scored)}")
        if not (options.misses and folder.name == STUDY):
            continue
        for message in scored:
            if message.extra:
                print(f"  {message.file}: false recipients {', '.join(message.extra)}")
            for v in message.verdicts:
                if (v.ours_reason, v.ours_type) != (v.expected_reason, v.expected_type):
                    print(
                        f"  {v.file} {v.address}: ours {v.ours_reason or 'not found'}"
                        f"/{v.ours_type or '-'}, expected {v.expected_reason}/{v.expected_type}"
                    )


if __name__ == "__main__":
    main()
