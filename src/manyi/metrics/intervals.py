"""95 % (or other) confidence intervals: Wilson for shares, Student t for means, the exact
(Garwood) Poisson interval for counts of events, and clipping to what a scale can give."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from scipy import stats


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def z_for(confidence: float = 0.95) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(successes: int, n: int, confidence: float = 0.95) -> Interval | None:
    """Wilson score interval of a proportion (as a fraction); None without answers. Unlike
    the normal approximation it stays inside [0, 1] and behaves at small n and extreme p."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"{successes} successes out of {n}")
    z = z_for(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Interval(max(0.0, centre - margin), min(1.0, centre + margin))


def t_interval(mean: float, sd: float, n: int, confidence: float = 0.95) -> Interval | None:
    """Student t interval of a mean; None below two answers."""
    if n < 2 or sd is None:
        return None
    margin = t_quantile(n - 1, confidence) * sd / math.sqrt(n)
    return Interval(mean - margin, mean + margin)


def t_quantile(df: float, confidence: float = 0.95) -> float:
    """The two-sided Student t critical value, t(0.975, df) for 95 %."""
    return float(stats.t.ppf(0.5 + confidence / 2, df))


def poisson_exact(count: int, confidence: float = 0.95) -> Interval:
    """Exact (Garwood) interval of the mean of a Poisson count: the chi-square quantiles
    χ²(α/2, 2k)/2 and χ²(1 − α/2, 2k + 2)/2. Its lower end is 0 for no events."""
    if count < 0:
        raise ValueError(f"a count of {count}")
    alpha = 1 - confidence
    low = float(stats.chi2.ppf(alpha / 2, 2 * count)) / 2 if count else 0.0
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return Interval(low, high)


def clip(interval: Interval | None, low: float, high: float) -> Interval | None:
    """An interval kept within [low, high], what the scale can give; None stays None."""
    if interval is None:
        return None
    return Interval(min(max(interval.low, low), high), max(min(interval.high, high), low))
