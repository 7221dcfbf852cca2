"""Satisfaction scores from answer counts (shared/METHODS.md): CSAT, NPS, CES, item
satisfaction, the weighted satisfaction index (CSI) and expectation gaps. Shares are in
percent, as reports show them; every figure carries its n and whether n is large enough."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .counts import Counts, moments, share
from .intervals import Interval, t_interval, wilson, z_for

DEFAULT_MIN_N = 30


@dataclass(frozen=True)
class Estimate:
    """A figure as it is shown: value [low, high], n; `reliable` is False below the minimum
    sample, and the figure is then greyed out with a note."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    reliable: bool

    @classmethod
    def empty(cls) -> Estimate:
        return cls(None, None, None, 0, False)


def _estimate(value, interval: Interval | None, n: int, min_n: int, scale: float = 1.0):
    if value is None:
        return Estimate.empty()
    low = interval.low * scale if interval else None
    high = interval.high * scale if interval else None
    return Estimate(value * scale, low, high, n, n >= min_n)


def proportion(successes: int, n: int, *, min_n: int = DEFAULT_MIN_N) -> Estimate:
    """A share in percent with its Wilson interval."""
    if n == 0:
        return Estimate.empty()
    return _estimate(successes / n, wilson(successes, n), n, min_n, scale=100.0)


def mean(counts: Counts, *, min_n: int = DEFAULT_MIN_N) -> Estimate:
    m = moments(counts)
    if m.mean is None:
        return Estimate.empty()
    return _estimate(m.mean, t_interval(m.mean, m.sd, m.n), m.n, min_n)


def top_boxes(scale_max: int) -> range:
    """The two best answers of a 1-based scale: 4-5 of 5, 6-7 of 7, 9-10 of 10."""
    return range(scale_max - 1, scale_max + 1)


@dataclass(frozen=True)
class Csat:
    percent: Estimate  # top-2-box share, %
    mean: Estimate  # scale points
    mean_percent: float | None  # mean / scale max × 100, labelled as such
    scale_max: int


def csat(counts: Counts, *, scale_max: int = 5, min_n: int = DEFAULT_MIN_N) -> Csat:
    satisfied, n = share(counts, top_boxes(scale_max))
    average = mean(counts, min_n=min_n)
    mean_percent = average.value / scale_max * 100 if average.value is not None else None
    return Csat(proportion(satisfied, n, min_n=min_n), average, mean_percent, scale_max)


@dataclass(frozen=True)
class Nps:
    score: Estimate  # -100 … +100, interval = score ± margin of error
    promoters: int
    passives: int
    detractors: int
    margin: float | None  # points, 95 %

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors


def nps_variance(promoters: int, detractors: int, n: int) -> float:
    """Variance of NPS as a fraction: (p + d − (p − d)²) / n (METHODS.md)."""
    p, d = promoters / n, detractors / n
    return (p + d - (p - d) ** 2) / n


def nps(counts: Counts, *, min_n: int = DEFAULT_MIN_N, confidence: float = 0.95) -> Nps:
    promoters, n = share(counts, (9, 10))
    detractors, _n = share(counts, range(0, 7))
    passives = n - promoters - detractors
    if n == 0:
        return Nps(Estimate.empty(), 0, 0, 0, None)
    score = (promoters - detractors) / n * 100
    margin = z_for(confidence) * math.sqrt(nps_variance(promoters, detractors, n)) * 100
    estimate = Estimate(
        score, max(-100.0, score - margin), min(100.0, score + margin), n, n >= min_n
    )
    return Nps(estimate, promoters, passives, detractors, margin)


@dataclass(frozen=True)
class Ces:
    mean: Estimate  # 1-7, higher is easier
    easy: Estimate  # share answering 5-7, %


def ces(counts: Counts, *, min_n: int = DEFAULT_MIN_N) -> Ces:
    easy, n = share(counts, range(5, 8))
    return Ces(mean(counts, min_n=min_n), proportion(easy, n, min_n=min_n))


def item_satisfaction(counts: Counts, *, scale_max: int = 5, min_n: int = DEFAULT_MIN_N):
    """S_i = 100 × mean score / scale max, with the mean's interval scaled alike. On a 1-5
    scale this is the classic 100/80/60/40/20 points method."""
    average = mean(counts, min_n=min_n)
    if average.value is None:
        return Estimate.empty()
    factor = 100 / scale_max
    # A t interval knows nothing of the scale: keep it within what answers can give.
    floor = 100 / scale_max
    return Estimate(
        average.value * factor,
        max(floor, average.low * factor) if average.low is not None else None,
        min(100.0, average.high * factor) if average.high is not None else None,
        average.n,
        average.reliable,
    )


@dataclass(frozen=True)
class ItemInput:
    code: str
    weight: float
    counts: Counts
    scale_max: int = 5


@dataclass(frozen=True)
class ItemScore:
    code: str
    weight: float
    satisfaction: Estimate  # S_i, %
    below_target: bool


@dataclass(frozen=True)
class Csi:
    overall: Estimate  # Σ S_i w_i / Σ w_i, %
    items: tuple[ItemScore, ...]  # least satisfied first: what to improve first

    @property
    def lowest(self) -> ItemScore | None:
        scored = [i for i in self.items if i.satisfaction.value is not None]
        return scored[0] if scored else None


def csi(
    items: Sequence[ItemInput], *, target: float | None = None, min_n: int = DEFAULT_MIN_N
) -> Csi:
    """The weighted satisfaction index. Items without answers drop out and the remaining
    weights are renormalised. The interval treats items as independent, an approximation
    (answers of one respondent correlate), so it is indicative."""
    scored = []
    for item in items:
        s = item_satisfaction(item.counts, scale_max=item.scale_max, min_n=min_n)
        below = target is not None and s.value is not None and s.value < target
        scored.append(ItemScore(item.code, item.weight, s, below))
    usable = [i for i in scored if i.satisfaction.value is not None and i.weight > 0]
    total_weight = sum(i.weight for i in usable)
    ranked = tuple(
        sorted(
            scored,
            key=lambda i: (i.satisfaction.value is None, i.satisfaction.value or 0, i.code),
        )
    )
    if not usable or total_weight <= 0:
        return Csi(Estimate.empty(), ranked)
    value = sum(i.satisfaction.value * i.weight for i in usable) / total_weight
    variance, complete = 0.0, True
    for i in usable:
        s = i.satisfaction
        if s.low is None:
            complete = False
            break
        se = (s.high - s.low) / 2 / z_for()
        variance += (i.weight / total_weight) ** 2 * se * se
    n = min(i.satisfaction.n for i in usable)
    if complete:
        margin = z_for() * math.sqrt(variance)
        overall = Estimate(value, value - margin, value + margin, n, n >= min_n)
    else:
        overall = Estimate(value, None, None, n, n >= min_n)
    return Csi(overall, ranked)


@dataclass(frozen=True)
class Gap:
    expected: Estimate
    experienced: Estimate
    gap: float | None  # experienced − expected; negative = shortfall
    low: float | None
    high: float | None


def gap(expected: Counts, experienced: Counts, *, min_n: int = DEFAULT_MIN_N) -> Gap:
    """Expectation vs. experience of one item; the interval is Welch's for the difference."""
    from .significance import welch_interval

    e, x = mean(expected, min_n=min_n), mean(experienced, min_n=min_n)
    if e.value is None or x.value is None:
        return Gap(e, x, None, None, None)
    interval = welch_interval(moments(expected), moments(experienced))
    difference = x.value - e.value
    if interval is None:
        return Gap(e, x, difference, None, None)
    return Gap(e, x, difference, interval.low, interval.high)
