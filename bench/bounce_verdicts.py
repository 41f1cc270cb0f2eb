"""Every verdict the bounce parser gives, dumped to JSON, for changes that must not change any
(speed work): every file under tests/data/bounces/, generated synthetic bounces, and the reply
texts the synthetic harness draws from in four code/status contexts.

python bench/bounce_verdicts.py before.json        # on the code before the change
python bench/bounce_verdicts.py after.json         # ... and after it
python bench/bounce_verdicts.py --compare before.json after.json   # exit 1 on any difference

The generated bounces and reply texts need Perl Sisimai's modules (the texts come from its
phrase lists); without them only the corpus files are dumped.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from pathlib import Path

from verdict_dumps import compare

from services.bounce.domain import classify_smtp_reply, parse_bounce_message

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "bounces"
CONTEXTS = ((0, ""), (550, "5.1.1"), (451, ""), (554, "5.7.1"))


def verdicts(synthetic: int) -> dict[str, str]:
    """The repr of each verdict, by a key naming its input."""
    found = {
        f"file:{path.relative_to(CORPUS)}": repr(parse_bounce_message(path.read_bytes()))
        for path in sorted(CORPUS.rglob("*"))
        if path.is_file() and path.suffix not in (".md", ".json", ".pl")
    }
    try:
        from sisimai_texts import corpus_texts, reason_texts, rhost_texts
        from synthetic_bounces import generate, render

        texts = [*reason_texts(), *rhost_texts(), *corpus_texts()]
        cases = generate(synthetic)
    except (OSError, subprocess.CalledProcessError):
        print("Sisimai not installed: corpus files only", file=sys.stderr)
        return found
    for case in cases:
        found[f"synthetic:{case.number}"] = repr(parse_bounce_message(render(case)))
    for number, source in enumerate(texts):
        for code, status in CONTEXTS:
            verdict = classify_smtp_reply(code, status, source.text, source.host)
            found[f"text:{number}:{code}:{status}"] = repr(verdict)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="OUT.json, or BEFORE AFTER")
    parser.add_argument("--compare", action="store_true", help="compare two dumps")
    parser.add_argument("--synthetic", type=int, default=4000, help="generated bounces")
    args = parser.parse_args()
    if args.compare:
        before, after = args.files[:2]
        sys.exit(compare(before, after, shown=sys.maxsize))
    logging.disable(logging.CRITICAL)
    found = verdicts(args.synthetic)
    args.files[0].write_text(json.dumps(found, indent=0, sort_keys=True))
    print(f"{len(found)} verdicts -> {args.files[0]}")


if __name__ == "__main__":
    main()
