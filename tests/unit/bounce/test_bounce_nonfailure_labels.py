"""The labelled complaints, auto-replies and non-failure DSNs of tests/data/bounces/synthetic/
nonfailure/ (synthetic, round 8b of issue 14): each says it is synthetic and what layout it
follows, the labels that name Sisimai 4.25 as their source still are its verdicts, and every
disagreement of our parse with a label is explained in that folder's README.md (and every
explained one still occurs)."""

import json
import re
from pathlib import Path

import pytest

from tests.unit.bounce.conftest import load_bench

NONFAILURE = Path(__file__).resolve().parents[2] / "data" / "bounces" / "synthetic" / "nonfailure"
_LISTED_RE = re.compile(
    r"^- `((?:study|held)/[^`]+)` `([^`]*)` "
    r"(kind|found|reason|hard_soft|feedback_type|outcome|extra):",
    re.M,
)


@pytest.fixture(scope="module")
def harness():
    return load_bench("bounce_nonfailure.py")


@pytest.fixture(scope="module")
def results(harness):
    return harness.score_splits()


def listed() -> set[tuple[str, str, str]]:
    return {m.groups() for m in _LISTED_RE.finditer((NONFAILURE / "README.md").read_text())}  # type: ignore[misc]  # the pattern's groups are known


def test_every_message_is_labelled_and_says_it_is_synthetic():
    labels = json.loads((NONFAILURE / "labels.json").read_text())
    files = {str(p.relative_to(NONFAILURE)) for p in NONFAILURE.glob("*/*.eml")}
    assert files == set(labels)
    for name in files:
        head = (NONFAILURE / name).read_text().split("\n\n", 1)[0]
        assert re.search(r"^X-Synthetic: synthetic test message.*\n\tlayout: \S", head, re.M), name
    for split in ("study", "held"):
        assert sum(name.startswith(f"{split}/") for name in files) >= 12, split


def test_sisimai_sourced_labels_are_sisimais_verdicts(harness):
    import bounce_oracle

    assert bounce_oracle.sisimai_available(), "Sisimai missing: run `make system-deps`"
    assert harness.sisimai_label_mismatches() == []


def test_every_disagreement_is_explained(results):
    found = [miss for score in results.values() for miss in score.misses]
    unexplained = [miss.line() for miss in found if miss.key not in listed()]
    assert not unexplained, "explain in nonfailure/README.md or fix:\n" + "\n".join(unexplained)


def test_every_explained_disagreement_still_exists(results):
    current = {miss.key for score in results.values() for miss in score.misses}
    stale = sorted(listed() - current)
    assert not stale, f"no longer disagreements, remove from nonfailure/README.md: {stale}"


def test_a_wrong_label_is_a_disagreement(harness):
    """The comparison can fail: a label naming another kind and recipient is two misses."""
    score = harness.Score()
    label = {"kind": "bounce", "recipients": {"someone@else.example": {"reason": "expired"}}}
    harness.score_message("study/arf-not-spam.eml", label, score)
    assert {miss.field for miss in score.misses} == {"kind", "found", "extra"}
