"""Better / equal / worse against a competitor's item score (pure, no Django).

Both sides are item satisfaction S_i: a mean score as percent of the scale maximum, not a
share of respondents, so a two-proportion test does not apply as it stands. Two rules:

- **z-test**, when the competitor's sample size is known (n ≥ 2) and our estimate has an
  interval: z = (ours − theirs) / √(se_ours² + se_theirs²). Our standard error comes from our
  Student-t interval. The competitor's variance is unknown; for a score bounded in [0, 1] with
  mean p the Bhatia–Davis inequality gives Var ≤ p(1 − p), so treating S as a proportion-like
  share gives the largest variance it can have: the test is conservative, it calls a
  difference only when one exists even in the worst case.
- **interval rule**, otherwise: "equal" when the competitor's score lies inside our 95 %
  interval, better or worse when it lies outside.

Without our estimate or its interval no comparison is possible, and the verdict is "equal"
with rule "none", shown as such."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

BETTER, EQUAL, WORSE = "better", "equal", "worse"
Z_TEST, INTERVAL, NONE = "z-test", "interval", "none"
ALPHA = 0.05


@dataclass(frozen=True)
class Comparison:
    verdict: str  # ours against theirs: better, equal or worse
    rule: str  # z-test, interval or none
    difference: float | None  # ours − theirs, percentage points
    p_value: float | None = None


def compare(
    ours: float | None,
    low: float | None,
    high: float | None,
    theirs: float,
    their_n: int | None = None,
    *,
    alpha: float = ALPHA,
) -> Comparison:
    """Our S_i (with its 95 % interval) against a competitor's S_i, both in percent."""
    if ours is None or low is None or high is None:
        return Comparison(EQUAL, NONE, None if ours is None else ours - theirs)
    difference = ours - theirs
    if their_n is not None and their_n >= 2:
        z95 = NormalDist().inv_cdf(0.975)
        # Half-width / 1.96 slightly overstates our se (t > z): conservative as well.
        se_ours = (high - low) / 2 / z95
        p = min(max(theirs / 100, 0.0), 1.0)
        se_theirs = math.sqrt(p * (1 - p) / their_n) * 100
        se = math.sqrt(se_ours**2 + se_theirs**2)
        if se == 0:
            verdict = EQUAL if difference == 0 else (BETTER if difference > 0 else WORSE)
            return Comparison(verdict, Z_TEST, difference, 0.0 if difference else 1.0)
        p_value = 2 * (1 - NormalDist().cdf(abs(difference / se)))
        if p_value >= alpha:
            return Comparison(EQUAL, Z_TEST, difference, p_value)
        return Comparison(BETTER if difference > 0 else WORSE, Z_TEST, difference, p_value)
    if low <= theirs <= high:
        return Comparison(EQUAL, INTERVAL, difference)
    return Comparison(BETTER if theirs < low else WORSE, INTERVAL, difference)
