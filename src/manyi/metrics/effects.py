"""Did an improvement action work? The change of a metric in the group an action touched,
alone (before/after) or against a comparison group it did not touch (difference in
differences), with a standard error, a 95 % interval and a verdict (METHODS.md, "Did an
improvement action work?").

Shares (a CSAT top-2 share) are counted as (successes, n); NPS as (promoters, detractors,
n); means (an item score) as
`Moments`; rates (complaints per 100 customers: a count per customer, not a proportion) as
(events, exposure), with Poisson variance. Effects are in points for shares and rates per
100, and in scale units for means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

from .counts import Moments
from .intervals import Interval, z_for
from .scores import nps_variance
from .significance import two_proportion_z


class Verdict(StrEnum):
    WORKED = "worked"
    NO_EVIDENCE = "no_evidence"
    WORSE = "worse"
    UNDECIDED = "undecided"  # too little data to estimate


@dataclass(frozen=True)
class Effect:
    """The estimated effect (after − before, or the difference in differences)."""

    estimate: float | None
    se: float | None
    interval: Interval | None
    z: float | None
    p_value: float | None
    verdict: Verdict

    @classmethod
    def undecided(cls) -> Effect:
        return cls(None, None, None, None, None, Verdict.UNDECIDED)


@dataclass(frozen=True)
class Cell:
    """One group in one window: its estimate and the variance of that estimate."""

    value: float
    variance: float


def share(successes: int, n: int) -> Cell | None:
    """A share in points (0-100), with the variance p(1 − p)/n, in points²."""
    if n <= 0:
        return None
    p = successes / n
    return Cell(100 * p, 100**2 * p * (1 - p) / n)


def nps(promoters: int, detractors: int, n: int) -> Cell | None:
    """NPS in points (−100 to 100), with the multinomial variance (p + d − (p − d)²)/n
    (METHODS.md, "NPS"), in points²."""
    if n <= 0:
        return None
    return Cell(100 * (promoters - detractors) / n, 100**2 * nps_variance(promoters, detractors, n))


def mean(moments: Moments) -> Cell | None:
    """A mean, with the variance s²/n."""
    if moments.n < 2 or moments.mean is None or moments.sd is None:
        return None
    return Cell(moments.mean, moments.sd**2 / moments.n)


def rate(events: int, exposure: float, *, per: float = 100) -> Cell | None:
    """Events per `per` units of exposure (complaints per 100 customers), with the Poisson
    variance events / exposure² (scaled)."""
    if exposure <= 0:
        return None
    return Cell(per * events / exposure, per**2 * events / exposure**2)


def verdict(interval: Interval, *, higher_is_better: bool = True) -> Verdict:
    """ "worked" when the interval lies wholly on the better side of 0, "worse" wholly on the
    other side, "no evidence" when it contains 0."""
    low, high = (interval.low, interval.high)
    if low > 0:
        return Verdict.WORKED if higher_is_better else Verdict.WORSE
    if high < 0:
        return Verdict.WORSE if higher_is_better else Verdict.WORKED
    return Verdict.NO_EVIDENCE


def _effect(estimate: float, variance: float, confidence: float, higher_is_better: bool) -> Effect:
    se = math.sqrt(variance)
    if se == 0:
        return Effect.undecided()
    margin = z_for(confidence) * se
    interval = Interval(estimate - margin, estimate + margin)
    z = estimate / se
    p = 2 * (1 - NormalDist().cdf(abs(z)))
    return Effect(
        estimate, se, interval, z, p, verdict(interval, higher_is_better=higher_is_better)
    )


def before_after(
    before: Cell | None,
    after: Cell | None,
    *,
    confidence: float = 0.95,
    higher_is_better: bool = True,
) -> Effect:
    """after − before in one group, with the unpooled standard error."""
    if before is None or after is None:
        return Effect.undecided()
    return _effect(
        after.value - before.value, before.variance + after.variance, confidence, higher_is_better
    )


def before_after_shares(
    before: tuple[int, int], after: tuple[int, int], *, higher_is_better: bool = True
) -> Effect:
    """A share before and after: the difference with its interval, and the pooled
    two-proportion z-test's statistic and p-value (METHODS.md's test for a change)."""
    effect = before_after(share(*before), share(*after), higher_is_better=higher_is_better)
    test = two_proportion_z(*before, *after)
    if effect.estimate is None or test.statistic is None:
        return Effect.undecided()
    return Effect(
        effect.estimate, effect.se, effect.interval, test.statistic, test.p_value, effect.verdict
    )


def difference_in_differences(
    treated_before: Cell | None,
    treated_after: Cell | None,
    comparison_before: Cell | None,
    comparison_after: Cell | None,
    *,
    confidence: float = 0.95,
    higher_is_better: bool = True,
) -> Effect:
    """(T_after − T_before) − (C_after − C_before), with the standard error
    sqrt(Σ variance over the four cells)."""
    cells = (treated_before, treated_after, comparison_before, comparison_after)
    if any(c is None for c in cells):
        return Effect.undecided()
    estimate = (treated_after.value - treated_before.value) - (
        comparison_after.value - comparison_before.value
    )
    return _effect(estimate, sum(c.variance for c in cells), confidence, higher_is_better)
