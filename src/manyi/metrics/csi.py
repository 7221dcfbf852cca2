"""The weighted satisfaction index (CSI) with its respondent-level interval (METHODS.md).

Input is sums over respondents, not answer counts: a respondent's item answers are correlated,
so the interval needs, for every pair of items, the respondents who rated both. Each
respondent's answer to item i is scored x_i = 100 × answer / scale max (the 100/80/60/40/20
points of a five-point scale), and the database returns, per pair (i, j) with i ≤ j, the
number n_ij of respondents who rated both and the sums Σx_i, Σx_j, Σx_i·x_j over them (for
i = j: the respondents who rated i, with Σx_i²). Then

    S_i   = Σx_i / n_i                                  item satisfaction, %
    CSI   = Σ w_i S_i / Σ w_i                           over the items answered
    Σ_ij  = cov_ij(x_i, x_j) × n_ij / (n_i n_j)         cov over the n_ij respondents
    Var   = wᵀ Σ w / (Σ w)²
    CSI ± t(0.975, n − 1) × √Var, clipped to 0-100 %, n = respondents who rated an item.

With every item rated by everyone this is the variance of the respondents' weighted scores / n.

Responses to questionnaires with different weights (surveys, or versions of one survey) are
combined by respondents: each questionnaire's index is computed with its own weights, and
the indexes are averaged weighted by their respondents, n_v / N. Their samples are disjoint,
so Var = Σ (n_v / N)² Var_v, with Satterthwaite's degrees of freedom for the t quantile."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .counts import Counts
from .intervals import t_quantile
from .scores import DEFAULT_MIN_N, Estimate


@dataclass(frozen=True)
class PairSums:
    """Over the respondents who rated both item `a` and item `b` (a == b: who rated `a`):
    how many, and the sums of their scores x_a, x_b (in % of the scale) and of x_a·x_b."""

    a: str
    b: str
    n: int
    sum_a: float
    sum_b: float
    sum_ab: float
    floor: float = 0.0  # for a == b: the lowest score an answer can give, 100 / scale max


def item_sums(code: str, counts: Counts, *, scale_max: int = 5) -> PairSums:
    """The diagonal sums of one item from its answer counts {answer: how many}."""
    n = sum(counts.values())
    total = sum(k * value * 100 / scale_max for value, k in counts.items())
    squares = sum(k * (value * 100 / scale_max) ** 2 for value, k in counts.items())
    return PairSums(code, code, n, total, total, squares, 100 / scale_max)


@dataclass(frozen=True)
class Questionnaire:
    """The respondents who answered with one set of item weights, and their sums."""

    weights: Mapping[str, float]  # item code -> weight in this questionnaire
    sums: tuple[PairSums, ...]
    respondents: int  # who rated at least one item


@dataclass(frozen=True)
class ItemScore:
    code: str
    weight: float  # the item's share of the index (answered items' weights sum to 1)
    satisfaction: Estimate  # S_i, %
    below_target: bool


@dataclass(frozen=True)
class Part:
    """One questionnaire's index, as it enters the combined one."""

    index: Estimate
    variance: float | None  # Var(CSI), in %²
    respondents: int
    weights: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Csi:
    overall: Estimate  # %, see the module docstring
    items: tuple[ItemScore, ...]  # least satisfied first: what to improve first
    parts: tuple[Part, ...] = ()  # one per set of weights; more than one: combined

    @property
    def lowest(self) -> ItemScore | None:
        scored = [i for i in self.items if i.satisfaction.value is not None]
        return scored[0] if scored else None

    @property
    def combined(self) -> bool:
        """Whether questionnaires with different weights were combined by respondents."""
        return len(self.parts) > 1


def _covariance(pair: PairSums) -> float:
    if pair.n < 2:
        return 0.0
    return (pair.sum_ab - pair.sum_a * pair.sum_b / pair.n) / (pair.n - 1)


def item_score(diagonal: PairSums, *, min_n: int = DEFAULT_MIN_N, confidence: float = 0.95):
    """S_i with its t interval, clipped to what answers can give (floor … 100 %)."""
    n = diagonal.n
    if n == 0:
        return Estimate.empty()
    value = diagonal.sum_a / n
    if n < 2:
        return Estimate(value, None, None, n, n >= min_n)
    sd = math.sqrt(max(0.0, _covariance(diagonal)))
    margin = t_quantile(n - 1, confidence) * sd / math.sqrt(n)
    low = min(max(diagonal.floor, value - margin), 100.0)
    return Estimate(value, low, min(100.0, value + margin), n, n >= min_n)


def _merged(sums: Iterable[PairSums]) -> dict[tuple[str, str], PairSums]:
    """Sums of several questionnaires added up, per pair (exact: they are plain sums)."""
    merged: dict[tuple[str, str], PairSums] = {}
    for s in sums:
        key = (s.a, s.b) if s.a <= s.b else (s.b, s.a)
        if s.a > s.b:
            s = PairSums(s.b, s.a, s.n, s.sum_b, s.sum_a, s.sum_ab, s.floor)
        old = merged.get(key)
        merged[key] = (
            s
            if old is None
            else PairSums(
                s.a,
                s.b,
                old.n + s.n,
                old.sum_a + s.sum_a,
                old.sum_b + s.sum_b,
                old.sum_ab + s.sum_ab,
                min(old.floor, s.floor),
            )
        )
    return merged


def _part(q: Questionnaire, *, min_n: int, confidence: float) -> Part:
    pairs = _merged(q.sums)
    diagonal = {a: s for (a, b), s in pairs.items() if a == b and s.n > 0}
    used = [c for c in sorted(diagonal) if q.weights.get(c, 0) > 0]
    total = sum(q.weights[c] for c in used)
    shares = tuple((c, q.weights[c] / total) for c in used) if total > 0 else ()
    if not shares:
        return Part(Estimate.empty(), None, q.respondents, ())
    value = sum(w * diagonal[c].sum_a / diagonal[c].n for c, w in shares)
    n = q.respondents
    variance: float | None = None
    if n >= 2 and all(diagonal[c].n >= 2 for c, _w in shares):
        variance = 0.0
        for i, (a, wa) in enumerate(shares):
            for b, wb in shares[i:]:
                pair = pairs.get((a, b))
                if pair is None or pair.n == 0:
                    continue
                term = _covariance(pair) * pair.n / (diagonal[a].n * diagonal[b].n)
                variance += wa * wb * term * (1 if a == b else 2)
        # Pairwise-complete covariances need not give a positive semi-definite matrix.
        variance = max(0.0, variance)
    return Part(_bounded(value, variance, n - 1, n, min_n, confidence), variance, n, shares)


def _bounded(value, variance, df, n, min_n, confidence) -> Estimate:
    if variance is None or df is None or df < 1:
        return Estimate(value, None, None, n, n >= min_n)
    margin = t_quantile(df, confidence) * math.sqrt(variance)
    low = min(max(0.0, value - margin), 100.0)
    return Estimate(value, low, max(0.0, min(100.0, value + margin)), n, n >= min_n)


def _combine(parts: Sequence[Part], *, min_n: int, confidence: float) -> Estimate:
    scored = [p for p in parts if p.index.value is not None and p.respondents > 0]
    if not scored:
        return Estimate.empty()
    if len(scored) == 1:
        return scored[0].index
    total = sum(p.respondents for p in scored)
    value = sum(p.respondents * p.index.value for p in scored) / total
    if any(p.variance is None for p in scored):
        return Estimate(value, None, None, total, total >= min_n)
    terms = [((p.respondents / total) ** 2 * p.variance, p.respondents - 1) for p in scored]
    variance = sum(t for t, _df in terms)
    denominator = sum(t * t / df for t, df in terms)
    df = variance * variance / denominator if denominator > 0 else total - 1
    return _bounded(value, variance, df, total, min_n, confidence)


def csi(
    questionnaires: Sequence[Questionnaire],
    *,
    target: float | None = None,
    min_n: int = DEFAULT_MIN_N,
    confidence: float = 0.95,
) -> Csi:
    """The index over one or more questionnaires (see the module docstring), and every
    item's satisfaction over all respondents who rated it, least satisfied first. Items
    without answers drop out of an index and the remaining weights are renormalised; an
    item's `weight` is its average share of the respondents' index."""
    parts = tuple(_part(q, min_n=min_n, confidence=confidence) for q in questionnaires)
    pairs = _merged(s for q in questionnaires for s in q.sums)
    respondents = sum(p.respondents for p in parts if p.weights)
    share: dict[str, float] = {}
    for p in parts:
        for code, w in p.weights:
            share[code] = share.get(code, 0.0) + w * p.respondents / (respondents or 1)
    scored = []
    for (code, other), diagonal in pairs.items():
        if code != other:
            continue
        s = item_score(diagonal, min_n=min_n, confidence=confidence)
        below = target is not None and s.value is not None and s.value < target
        scored.append(ItemScore(code, share.get(code, 0.0), s, below))
    ranked = tuple(
        sorted(
            scored, key=lambda i: (i.satisfaction.value is None, i.satisfaction.value or 0, i.code)
        )
    )
    overall = _combine(parts, min_n=min_n, confidence=confidence)
    return Csi(overall, ranked, tuple(p for p in parts if p.weights))
