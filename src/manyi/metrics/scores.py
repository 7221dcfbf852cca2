"""Satisfaction scores from answer counts (shared/METHODS.md): CSAT, NPS, CES, item
satisfaction and expectation gaps (the weighted index, CSI, needs respondent-level sums and
is in `csi`). Shares are in percent, as reports show them; every figure carries its n and
whether n is large enough, and every interval stays within what the scale can give."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .counts import Counts, moments, share
from .intervals import Interval, clip, t_interval, wilson, z_for

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


def mean(
    counts: Counts, *, min_n: int = DEFAULT_MIN_N, bounds: tuple[float, float] | None = None
) -> Estimate:
    """The mean with its Student t interval; with `bounds` (the scale's lowest and highest
    answer) the interval is clipped to them: a t interval knows nothing of the scale and
    passes 5 on a five-point scale when the answers crowd at the top."""
    m = moments(counts)
    if m.mean is None:
        return Estimate.empty()
    interval = t_interval(m.mean, m.sd, m.n)
    if bounds is not None:
        interval = clip(interval, *bounds)
    return _estimate(m.mean, interval, m.n, min_n)


def percent_of_scale(estimate: Estimate, scale_max: int) -> Estimate:
    """A mean as a percentage of the scale's maximum (METHODS.md: mean / scale max × 100),
    with its interval scaled the same way: 3.8 of 5 → 76.0 %."""
    if estimate.value is None:
        return estimate

    def scaled(x):
        return None if x is None else x / scale_max * 100

    return Estimate(
        scaled(estimate.value),
        scaled(estimate.low),
        scaled(estimate.high),
        estimate.n,
        estimate.reliable,
    )


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
    average = mean(counts, min_n=min_n, bounds=(1, scale_max))
    mean_percent = percent_of_scale(average, scale_max).value
    return Csat(proportion(satisfied, n, min_n=min_n), average, mean_percent, scale_max)


@dataclass(frozen=True)
class Nps:
    score: Estimate  # -100 … +100; interval: adjusted Wald (METHODS.md), clipped to ±100
    promoters: int
    passives: int
    detractors: int
    margin: float | None  # the plain margin of error, points, 95 %

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors


def nps_variance(promoters: int, detractors: int, n: int) -> float:
    """Variance of NPS as a fraction: (p + d − (p − d)²) / n (METHODS.md)."""
    p, d = promoters / n, detractors / n
    return (p + d - (p - d) ** 2) / n


def nps_interval(promoters: int, detractors: int, n: int, confidence: float = 0.95) -> Interval:
    """The adjusted Wald interval of NPS in points (Rocks 2016): add 3 answers, 0.75 each to
    promoters and detractors (and 1.5 to passives), then the Wald interval around the adjusted
    NPS, clipped to ±100. Unlike the plain interval it keeps its width at −100 and +100."""
    adjusted = n + 3
    p, d = (promoters + 0.75) / adjusted, (detractors + 0.75) / adjusted
    centre = p - d
    half = z_for(confidence) * math.sqrt((p + d - centre**2) / adjusted)
    return Interval(max(-100.0, (centre - half) * 100), min(100.0, (centre + half) * 100))


def nps(counts: Counts, *, min_n: int = DEFAULT_MIN_N, confidence: float = 0.95) -> Nps:
    """The plain NPS as the estimate, with the adjusted Wald interval; `margin` is METHODS.md's
    plain margin of error (which collapses to 0 when every answer is in one group)."""
    promoters, n = share(counts, (9, 10))
    detractors, _n = share(counts, range(0, 7))
    passives = n - promoters - detractors
    if n == 0:
        return Nps(Estimate.empty(), 0, 0, 0, None)
    score = (promoters - detractors) / n * 100
    margin = z_for(confidence) * math.sqrt(nps_variance(promoters, detractors, n)) * 100
    interval = nps_interval(promoters, detractors, n, confidence)
    estimate = Estimate(score, interval.low, interval.high, n, n >= min_n)
    return Nps(estimate, promoters, passives, detractors, margin)


@dataclass(frozen=True)
class Ces:
    mean: Estimate  # 1-7, higher is easier
    easy: Estimate  # share answering 5-7, %


def ces(counts: Counts, *, min_n: int = DEFAULT_MIN_N) -> Ces:
    easy, n = share(counts, range(5, 8))
    return Ces(mean(counts, min_n=min_n, bounds=(1, 7)), proportion(easy, n, min_n=min_n))


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
class Gap:
    expected: Estimate
    experienced: Estimate
    gap: float | None  # experienced − expected; negative = shortfall
    low: float | None
    high: float | None


def gap(
    expected: Counts, experienced: Counts, *, scale_max: int = 5, min_n: int = DEFAULT_MIN_N
) -> Gap:
    """Expectation vs. experience of one item; the interval is Welch's for the difference.
    Every interval stays within the scale: the means within 1 … scale max, the gap within
    ±(scale max − 1)."""
    from .significance import welch_interval

    bounds = (1, scale_max)
    e = mean(expected, min_n=min_n, bounds=bounds)
    x = mean(experienced, min_n=min_n, bounds=bounds)
    if e.value is None or x.value is None:
        return Gap(e, x, None, None, None)
    widest = scale_max - 1
    interval = clip(welch_interval(moments(expected), moments(experienced)), -widest, widest)
    difference = x.value - e.value
    if interval is None:
        return Gap(e, x, difference, None, None)
    return Gap(e, x, difference, interval.low, interval.high)
