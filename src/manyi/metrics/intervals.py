"""95 % (or other) confidence intervals: Wilson for shares, Student t for means."""

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
    margin = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(mean - margin, mean + margin)
