"""Verdict dumps for speed work that must change no verdict (bench/bounce_verdicts.py,
bench/hit_verdicts.py): two JSON dumps of key -> verdict compared key by key."""

from __future__ import annotations

import json
from pathlib import Path


def compare(before: Path, after: Path, shown: int = 50) -> int:
    """Prints the first ``shown`` keys whose verdict differs (or exists on one side only) and
    the count; 1 if any differs."""
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    differing = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    for key in differing[:shown]:
        print(f"{key}\n  before: {old.get(key)}\n  after:  {new.get(key)}")
    print(f"{len(old)} / {len(new)} verdicts, {len(differing)} differ")
    return 1 if differing else 0
