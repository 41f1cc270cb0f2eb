"""Localised reply lines (the common causes in twelve languages) scored through the parse path.

python bench/bounce_localised.py            # study and held-out figures
python bench/bounce_localised.py --misses   # + the study set's misses (never the held set's)

Each line of tests/data/bounces/synthetic/localised/{study,heldout}.json and of
localised_blind/heldout.json (written blind to the rules by another author, see its README) is
a receiver's or MTA's reply as it is worded in a language other than English, with the Sisimai 5
reason its meaning implies. It is put in the DSN ``bounce_providers.py`` builds (the reply in
Diagnostic-Code at RCPT TO, the language standing for the vendor, a neutral receiving host) and
scored with its helpers. The held-out sets were never read for rules: their misses are
counted, not printed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bounce_providers import print_sets

SYNTHETIC = Path(__file__).resolve().parents[1] / "tests/data/bounces/synthetic"
SETS = {
    "study": "localised/study.json",
    "held-out": "localised/heldout.json",
    "held-out-blind": "localised_blind/heldout.json",
}


def load(name: str) -> list[dict[str, object]]:
    """The entries of one set (a name of ``SETS``) in ``bounce_providers``' shape."""
    lines: list[dict[str, object]] = json.loads((SYNTHETIC / SETS[name]).read_text("utf-8"))
    return [
        {**line, "vendor": line["language"], "host": f"mx.{line['language']}.example"}
        for line in lines
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print the study set's misses")
    options = parser.parse_args()
    print_sets({name: load(name) for name in SETS}, show_study_misses=options.misses, width=14)


if __name__ == "__main__":
    main()
