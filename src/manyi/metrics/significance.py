"""Is a change real? Tests between two periods (or units), and the false discovery rate when
many units are compared at once (METHODS.md, "Statistical care")."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from scipy import stats

from .counts import Moments
from .intervals import Interval
from .scores import nps_variance

ALPHA = 0.05


@dataclass(frozen=True)
class TestResult:
    statistic: float | None
    p_value: float | None
    significant: bool
    df: float | None = None

    @classmethod
    def undecidable(cls) -> TestResult:
        return cls(None, None, False)


def _two_sided_normal(z: float) -> float:
    return 2 * (1 - NormalDist().cdf(abs(z)))


def two_proportion_z(x1: int, n1: int, x2: int, n2: int, *, alpha: float = ALPHA) -> TestResult:
    """Pooled two-proportion z-test of x2/n2 against x1/n1 (a CSAT share, say)."""
    if n1 == 0 or n2 == 0:
        return TestResult.undecidable()
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return TestResult.undecidable()
    z = (x2 / n2 - x1 / n1) / se
    p = _two_sided_normal(z)
    return TestResult(z, p, p < alpha)


def welch_t(before: Moments, after: Moments, *, alpha: float = ALPHA) -> TestResult:
    """Welch's t-test of after.mean against before.mean (unequal variances)."""
    if before.n < 2 or after.n < 2 or before.sd is None or after.sd is None:
        return TestResult.undecidable()
    v1, v2 = before.sd**2 / before.n, after.sd**2 / after.n
    if v1 + v2 == 0:
        return TestResult.undecidable()
    t = (after.mean - before.mean) / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (before.n - 1) + v2**2 / (after.n - 1))
    p = float(2 * stats.t.sf(abs(t), df))
    return TestResult(t, p, p < alpha, df)


def welch_interval(before: Moments, after: Moments, confidence: float = 0.95):
    """Interval of after.mean − before.mean with Welch's degrees of freedom."""
    result = welch_t(before, after)
    if result.df is None:
        return None
    se = math.sqrt(before.sd**2 / before.n + after.sd**2 / after.n)
    margin = float(stats.t.ppf(0.5 + confidence / 2, result.df)) * se
    difference = after.mean - before.mean
    return Interval(difference - margin, difference + margin)


def nps_change(
    before: tuple[int, int, int], after: tuple[int, int, int], *, alpha: float = ALPHA
) -> TestResult:
    """z-test of a change in NPS; each side is (promoters, detractors, n). The variance of a
    difference of independent NPS is the sum of their variances."""
    (p1, d1, n1), (p2, d2, n2) = before, after
    if n1 == 0 or n2 == 0:
        return TestResult.undecidable()
    se = math.sqrt(nps_variance(p1, d1, n1) + nps_variance(p2, d2, n2))
    if se == 0:
        return TestResult.undecidable()
    z = ((p2 - d2) / n2 - (p1 - d1) / n1) / se
    p = _two_sided_normal(z)
    return TestResult(z, p, p < alpha)


@dataclass(frozen=True)
class FdrResult:
    adjusted: tuple[float, ...]  # Benjamini-Hochberg adjusted p-values, input order
    significant: tuple[bool, ...]


def benjamini_hochberg(p_values: Sequence[float], *, q: float = ALPHA) -> FdrResult:
    """Control the false discovery rate at q when many units are tested at once."""
    m = len(p_values)
    if m == 0:
        return FdrResult((), ())
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return FdrResult(tuple(adjusted), tuple(a <= q for a in adjusted))
