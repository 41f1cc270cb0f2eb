"""Metamorphic invariance of bounce parsing: every message we hold (the labelled real corpus
and the synthetic family messages) rewritten as mail transport may rewrite it without changing
its meaning (bench/mail_transforms.py), and the verdicts that changed counted per rewrite.

python bench/bounce_invariance.py            # per rewrite: messages rewritten, verdicts changed
python bench/bounce_invariance.py --causes   # + each changed verdict (not the held-out ones)

A verdict is the kind and, per recipient, the address (domain in lower case: domains are
case-insensitive), reason, hard/soft and status. Held-out messages (baunsu/, mailparser/,
salmon/, synthetic/heldapart/, synthetic/nonfailure/held/) count in the figures but their
changes are not printed: they are never read while fixing rules.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from mail_transforms import TRANSFORMS, domains_upper, with_null_return_path

from services.bounce.domain import ParsedBounce, parse_bounce_message

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "bounces"
HELD_OUT = (
    "baunsu/",
    "mailparser/",
    "salmon/",
    "synthetic/heldapart/",
    "synthetic/nonfailure/held/",
)
Verdict = tuple[str, tuple[tuple[str, str, str, str], ...]]


def messages() -> dict[str, bytes]:
    """The labelled corpus and the synthetic family messages, by path under the corpus."""
    names = sorted(json.loads((CORPUS / "labels.json").read_text()))
    names += sorted(str(p.relative_to(CORPUS)) for p in (CORPUS / "synthetic").rglob("*.eml"))
    return {name: (CORPUS / name).read_bytes() for name in names}


def _address(address: str) -> str:
    local, at, domain = address.rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else address


def verdict(parsed: ParsedBounce) -> Verdict:
    """What must not change: kind, and per recipient address, reason, hard/soft, status."""
    recipients = sorted(
        (
            _address(r.address),
            r.classification.reason,
            r.classification.bounce_type,
            r.status,
        )
        for r in parsed.recipients
    )
    return parsed.kind, tuple(recipients)


def rewrites(baseline: ParsedBounce) -> Iterator[tuple[str, Callable[[bytes], bytes]]]:
    """The rewrites that apply to a message whose verdict is ``baseline``."""
    yield from TRANSFORMS.items()
    if baseline.kind in ("bounce", "delivery_report"):
        yield "null-return-path", with_null_return_path
    domains = {r.address.rpartition("@")[2] for r in baseline.recipients if "@" in r.address}
    if domains:
        yield "domain-case", domains_upper(domains)


def changed_verdicts(corpus: dict[str, bytes]) -> dict[str, tuple[int, list[str]]]:
    """Per rewrite: how many messages it rewrote, and the names of those whose verdict
    changed (each with the two verdicts)."""
    results: dict[str, tuple[int, list[str]]] = {}
    for name, raw in corpus.items():
        baseline = parse_bounce_message(raw)
        expected = verdict(baseline)
        for label, rewrite in rewrites(baseline):
            rewritten = rewrite(raw)
            applied, changes = results.get(label, (0, []))
            if rewritten != raw:
                got = verdict(parse_bounce_message(rewritten))
                if got != expected:
                    changes.append(f"{name}\n    before {expected}\n    after  {got}")
                applied += 1
            results[label] = (applied, changes)
    return results


def main() -> None:
    logging.disable(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--causes", action="store_true", help="print each changed verdict")
    parser.add_argument("--only", help="only this rewrite")
    args = parser.parse_args()
    corpus = messages()
    results = changed_verdicts(corpus)
    print(f"{len(corpus)} messages")
    print(f"{'rewrite':28} {'rewritten':>9} {'changed':>7} {'held-out':>8}")
    total = 0
    for label, (applied, changes) in results.items():
        if args.only and label != args.only:
            continue
        held = [c for c in changes if c.startswith(HELD_OUT)]
        total += len(changes)
        print(f"{label:28} {applied:9} {len(changes):7} {len(held):8}")
        if args.causes:
            for change in changes:
                if not change.startswith(HELD_OUT):
                    print("  " + change)
    print(f"{'total verdicts changed':28} {'':9} {total:7}")


if __name__ == "__main__":
    main()
