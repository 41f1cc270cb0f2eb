"""Differential test against Sisimai on the synthetic family messages (tests/data/bounces/
synthetic/: synthetic, built from the layouts the Sisimai::Lhost modules document, one or more
per MTA family we hold no real message of). Each must be parsed by its own family's Sisimai
module (the proof that it follows the layout); every disagreement with Sisimai on recipients,
false recipients, reason, hard/soft or status must be explained in synthetic/README.md, and
every entry there must still be a disagreement."""

import pytest

from tests.unit.bounce.conftest import load_bench


@pytest.fixture(scope="module")
def families():
    module = load_bench("bounce_families.py")
    import bounce_oracle

    assert bounce_oracle.sisimai_available(), "Sisimai missing: run `make system-deps`"
    return module


@pytest.fixture(scope="module")
def results(families):
    return families.compare_families()


def test_every_synthetic_message_follows_its_family_layout(families):
    files = families.synthetic_files()
    assert len({families.family_of(name) for name in files}) >= 30
    assert not families.unclaimed(families.sisimai_verdicts(files))


def test_every_disagreement_is_explained(families, results):
    listed = families.listed_disagreements()
    found = [d for split in results.values() for d in split["all"].disagreements]
    unexplained = [d.line() for d in found if d.key not in listed]
    assert not unexplained, "explain in synthetic/README.md or fix:\n" + "\n".join(unexplained)


def test_every_explained_disagreement_still_exists(families, results):
    current = {d.key for split in results.values() for d in split["all"].disagreements}
    stale = sorted(families.listed_disagreements() - current)
    assert not stale, f"no longer disagreements, remove from synthetic/README.md: {stale}"


def test_recipients_found_on_both_splits(results):
    for split in ("written", "heldapart"):
        everything = results[split]["all"]
        assert everything.found / everything.recipients >= 0.85, split


def test_a_false_recipient_is_a_disagreement(families):
    """An address we report that Sisimai does not is flagged (the check can fail)."""
    name = "synthetic/written/X1-1.eml"
    raw = (families.CORPUS / name).read_bytes()
    record = {"recipient": "someone@else.example", "alias": ""}
    (extra,) = families.extra_recipients(name, raw, [record])
    assert (extra.field, extra.ours) == ("extra", "kijitora@example.jp")
