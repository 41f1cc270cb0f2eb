"""Two-proportion z-test, required sample size and verdicts."""

from __future__ import annotations

import math

import pytest

from services.analytics.domain.significance import Proportion, compare, required_per_group, z_test


def test_z_test_matches_a_hand_computed_example() -> None:
    # 40/400 vs 80/400: pooled 0.15, se = sqrt(0.15 * 0.85 * 2 / 400) = 0.025249
    z, p = z_test(Proportion(40, 400), Proportion(80, 400))
    assert z == pytest.approx(0.1 / math.sqrt(0.15 * 0.85 * 2 / 400))
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert p < 0.001


def test_degenerate_groups_give_no_evidence() -> None:
    assert z_test(Proportion(0, 0), Proportion(3, 10)) == (0.0, 1.0)
    assert z_test(Proportion(0, 10), Proportion(0, 10)) == (0.0, 1.0)


def test_required_sample_size_is_the_textbook_figure() -> None:
    # 10% vs 15% at alpha 0.05 and 80% power: about 686 per group.
    assert round(required_per_group(0.10, 0.15, 0.05)) == pytest.approx(686, abs=2)
    assert math.isinf(required_per_group(0.2, 0.2, 0.05))


def test_verdicts() -> None:
    win = compare("click", "A", "B", Proportion(40, 400), Proportion(80, 400))
    assert win.significant
    assert win.verdict.startswith("Variant B's click rate is higher than A's (p=")
    lose = compare("open", "A", "B", Proportion(80, 400), Proportion(40, 400))
    assert "is lower" in lose.verdict
    pending = compare("reply", "A", "B", Proportion(10, 100), Proportion(14, 100))
    assert not pending.significant and pending.more_recipients_needed > 0
    assert f"need ~{pending.more_recipients_needed} more recipients" in pending.verdict
    empty = compare("open", "A", "B", Proportion(0, 0), Proportion(1, 2))
    assert empty.verdict.startswith("No open data yet")
