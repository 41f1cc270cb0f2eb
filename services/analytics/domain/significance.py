"""Two-proportion z-test between campaign variants (pure): p-value, verdict in plain
language, and the sample size the observed difference would need to become significant."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

POWER = 0.8
_NORMAL = NormalDist()


@dataclass(frozen=True)
class Proportion:
    successes: int
    trials: int

    @property
    def rate(self) -> float:
        return self.successes / self.trials if self.trials > 0 else 0.0


@dataclass(frozen=True)
class TestResult:
    z: float
    p_value: float
    significant: bool
    more_recipients_needed: int
    verdict: str


def z_test(a: Proportion, b: Proportion) -> tuple[float, float]:
    """Pooled two-proportion z statistic (b - a) and its two-sided p-value; (0, 1) when the
    test cannot be computed (an empty group, or no variance at all)."""
    if a.trials <= 0 or b.trials <= 0:
        return 0.0, 1.0
    pooled = (a.successes + b.successes) / (a.trials + b.trials)
    variance = pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials)
    if variance <= 0:
        return 0.0, 1.0
    z = (b.rate - a.rate) / math.sqrt(variance)
    return z, math.erfc(abs(z) / math.sqrt(2))


def required_per_group(p1: float, p2: float, alpha: float, power: float = POWER) -> float:
    """Recipients per variant for a two-sided test at ``alpha`` to detect p1 vs p2 with
    ``power`` (normal approximation); infinity when the rates are equal."""
    if p1 == p2:
        return math.inf
    z_alpha = _NORMAL.inv_cdf(1 - alpha / 2)
    z_beta = _NORMAL.inv_cdf(power)
    mean = (p1 + p2) / 2
    root = z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_beta * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return root * root / ((p1 - p2) ** 2)


def compare(
    metric: str, baseline: str, variant: str, a: Proportion, b: Proportion, alpha: float = 0.05
) -> TestResult:
    """Compares ``variant`` (b) with ``baseline`` (a) on ``metric`` ("open", "click", ...)."""
    z, p = z_test(a, b)
    confidence = f"{(1 - alpha) * 100:g}%"
    if a.trials <= 0 or b.trials <= 0:
        return TestResult(
            z, p, False, 0, f"No {metric} data yet for variant {variant} or {baseline}."
        )
    if p < alpha:
        direction = "higher" if b.rate > a.rate else "lower"
        verdict = (
            f"Variant {variant}'s {metric} rate is {direction} than {baseline}'s "
            f"(p={p:.3g}): significant at {confidence}"
        )
        return TestResult(z, p, True, 0, verdict)
    needed = required_per_group(a.rate, b.rate, alpha)
    if math.isinf(needed):
        return TestResult(
            z, p, False, 0, f"Variants {variant} and {baseline} have the same {metric} rate so far."
        )
    more = max(0, math.ceil(needed) - min(a.trials, b.trials))
    verdict = (
        f"Variant {variant} vs {baseline} on {metric} rate: not significant yet (p={p:.3g}); "
        f"need ~{more} more recipients per variant"
    )
    return TestResult(z, p, False, more, verdict)
