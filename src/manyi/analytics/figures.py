"""Scores for dashboards and reports: counts from `queries`, formulas from `metrics`. Each
function returns frozen dataclasses that templates, exports and the API render as they are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils.translation import gettext as _

from manyi.metrics import counts as mc
from manyi.metrics.csi import Csi, Part, csi
from manyi.metrics.drivers import quadrants, shapley_r2
from manyi.metrics.scores import (
    Estimate,
    ces,
    gap,
    mean,
    nps,
    percent_of_scale,
    proportion,
    top_boxes,
)
from manyi.metrics.significance import (
    TestResult,
    benjamini_hochberg,
    nps_change,
    two_proportion_z,
    welch_t,
)
from manyi.surveys.models import Answer, Dimension

from .queries import (
    Filters,
    QuestionCatalogue,
    Selector,
    answer_counts,
    catalogue,
    period_starts,
    recent_sample,
)
from .ratings import item_rating_sums, weight_sets

MIN_N = settings.MANYI_MIN_SAMPLE
CES_SCALE = (1, 7)


@dataclass(frozen=True)
class Headline:
    csat: Estimate  # top-2-box %, over every overall CSAT question (any scale)
    csat_mean: Estimate  # 5-point questions only: means of different scales don't add up
    nps: Estimate
    ces: Estimate
    csi: Estimate
    csat_mean_percent: Estimate  # the 5-point mean / 5 × 100, labelled as such
    ces_easy: Estimate  # share of CES answers 5-7 ("easy"), %
    # Raw parts for significance tests against another period.
    csat_parts: tuple[int, int]
    nps_parts: tuple[int, int, int]
    ces_counts: dict
    csi_detail: Csi  # items and, when several sets of weights were combined, the parts


def csat_parts(filters: Filters, cat: QuestionCatalogue, group_by=None) -> dict:
    """{group: (satisfied, n, 5-point counts)} over overall CSAT questions of every scale."""
    parts: dict = {}
    for scale_max, codes in cat.csat.items():
        for group, counts in answer_counts(
            filters, Selector(codes, item=""), group_by=group_by
        ).items():
            satisfied, n = mc.share(counts, top_boxes(scale_max))
            s, total, five = parts.get(group, (0, 0, {}))
            parts[group] = (
                s + satisfied,
                total + n,
                mc.merge(five, counts) if scale_max == 5 else five,
            )
    return parts


def _csi_by(filters: Filters, group_by=None, target=None) -> dict[object, Csi]:
    """{group: the weighted index and its items}: the weights of the version answered, from
    respondent-level sums (see `ratings.item_rating_sums` and `metrics.csi`)."""
    sets = weight_sets(filters.survey_ids)
    by_group = item_rating_sums(filters, sets, group_by=group_by)
    return {
        group: csi(questionnaires, target=target, min_n=MIN_N)
        for group, questionnaires in by_group.items()
    }


_NO_CSI = csi([])


def headline(filters: Filters) -> Headline:
    cat = catalogue(filters.survey_ids)
    satisfied, n, five = csat_parts(filters, cat).get(None, (0, 0, {}))
    nps_counts = answer_counts(filters, Selector(cat.nps)).get(None, {}) if cat.nps else {}
    ces_counts = answer_counts(filters, Selector(cat.ces)).get(None, {}) if cat.ces else {}
    index = _csi_by(filters).get(None, _NO_CSI)
    score = nps(nps_counts, min_n=MIN_N)
    five_mean = mean(five, min_n=MIN_N, bounds=(1, 5))
    effort = ces(ces_counts, min_n=MIN_N)
    return Headline(
        csat=proportion(satisfied, n, min_n=MIN_N),
        csat_mean=five_mean,
        nps=score.score,
        ces=effort.mean,
        csi=index.overall,
        csat_mean_percent=percent_of_scale(five_mean, 5),
        ces_easy=effort.easy,
        csat_parts=(satisfied, n),
        nps_parts=(score.promoters, score.detractors, score.n),
        ces_counts=ces_counts,
        csi_detail=index,
    )


@dataclass(frozen=True)
class Change:
    """This period against the previous one of the same length."""

    current: Headline
    previous: Headline
    csat: TestResult
    nps: TestResult
    ces: TestResult


def previous_period(filters: Filters) -> Filters:
    if not (filters.since and filters.until):
        raise ValueError("a change needs a period with both ends")
    length = filters.until - filters.since + dt.timedelta(days=1)
    return replace(filters, since=filters.since - length, until=filters.since - dt.timedelta(1))


def change(filters: Filters) -> Change:
    current, previous = headline(filters), headline(previous_period(filters))
    return Change(
        current=current,
        previous=previous,
        csat=two_proportion_z(*previous.csat_parts, *current.csat_parts),
        nps=nps_change(previous.nps_parts, current.nps_parts),
        ces=welch_t(mc.moments(previous.ces_counts), mc.moments(current.ces_counts)),
    )


def headline_cards(change: Change) -> list[dict]:
    """The overview's cards: each headline score now, before, the change and its test, and
    beside them the figures METHODS.md shows with them (the CSAT mean, also as % of the
    scale, and the CES "easy" share). Labels in the active language."""
    current, previous = change.current, change.previous
    cards = [
        ("csat", _("CSAT (top-2-box)"), "%", 1, current.csat, previous.csat, change.csat),
        ("nps", _("NPS"), "", 1, current.nps, previous.nps, change.nps),
        ("ces", _("CES (mean, 1–7)"), "", 2, current.ces, previous.ces, change.ces),
        ("csi", _("CSI (weighted)"), "%", 1, current.csi, previous.csi, None),
    ]
    extras = {
        "csat": [
            (_("Mean (1–5)"), current.csat_mean, "", 2),
            # xgettext:no-python-format
            (_("Mean as % of the scale"), current.csat_mean_percent, "%", 1),
        ],
        "ces": [(_("Easy (5–7)"), current.ces_easy, "%", 1)],
    }
    return [
        {
            "key": key,
            "label": label,
            "extras": [
                {"label": lab, "e": e, "unit": u, "digits": d}
                for lab, e, u, d in extras.get(key, [])
            ],
            "unit": unit,
            "digits": digits,
            "now": now,
            "before": before,
            "delta": now.value - before.value
            if now.value is not None and before.value is not None
            else None,
            "test": test,
        }
        for key, label, unit, digits, now, before, test in cards
    ]


@dataclass(frozen=True)
class TrendPoint:
    period: dt.date
    csat: Estimate
    nps: Estimate
    ces: Estimate
    csi: Estimate


def trend(filters: Filters, period: str = "month") -> list[TrendPoint]:
    cat = catalogue(filters.survey_ids)
    csat_by = csat_parts(filters, cat, group_by=period)
    nps_by = answer_counts(filters, Selector(cat.nps), group_by=period) if cat.nps else {}
    ces_by = answer_counts(filters, Selector(cat.ces), group_by=period) if cat.ces else {}
    items_by = _csi_by(filters, group_by=period)
    seen = set(csat_by) | set(nps_by) | set(ces_by) | set(items_by)
    # Every period of the range, those without answers too: a chart shows them as gaps
    # instead of joining the points on either side.
    periods = sorted(seen | set(period_starts(filters.since, filters.until, period)))
    return [
        TrendPoint(
            period=p,
            csat=proportion(*csat_by.get(p, (0, 0, {}))[:2], min_n=MIN_N),
            nps=nps(nps_by.get(p, {}), min_n=MIN_N).score,
            ces=mean(ces_by.get(p, {}), min_n=MIN_N, bounds=CES_SCALE),
            csi=items_by.get(p, _NO_CSI).overall,
        )
        for p in periods
    ]


@dataclass(frozen=True)
class ItemRow:
    code: str
    name: str
    weight: float
    satisfaction: Estimate  # S_i %
    below_target: bool
    importance: Estimate  # stated importance rating (1-5), if asked
    derived: float | None  # Shapley share of R², relative (sums to 1)
    expected: Estimate
    experienced: Estimate
    gap: float | None
    quadrant: str


@dataclass(frozen=True)
class ItemAnalysis:
    csi: Estimate
    rows: tuple[ItemRow, ...]  # least satisfied first
    r2: float | None
    respondents: int  # behind derived importance
    target: float
    # One per set of item weights among the versions answered; more than one: the index
    # is each set's index averaged by respondents (see `metrics.csi`).
    weight_sets: tuple[Part, ...] = ()
    # Derived importance reads a sample: the most recent `sample` valid responses in the cut;
    # `capped` when the cut holds more.
    capped: bool = False
    sample: int = 0

    @property
    def combined(self) -> bool:
        return len(self.weight_sets) > 1


def item_analysis(filters: Filters, *, language: str, target: float = 80.0) -> ItemAnalysis:
    cat = catalogue(filters.survey_ids)
    index = _csi_by(filters, target=target).get(None, _NO_CSI)
    codes = [i.code for i in index.items]
    importance = {}
    if cat.importance:
        scale = max((cat.scales.get(c, 5) for c in cat.importance), default=5)
        by_item = answer_counts(filters, Selector(cat.importance), group_by="item")
        for item in codes:
            importance[item] = mean(by_item.get(item, {}), min_n=MIN_N, bounds=(1, scale))
    gaps = {}
    if cat.gaps:
        scale = max((cat.scales.get(c, 5) for c in cat.gaps), default=5)
        e = answer_counts(filters, Selector(cat.gaps, role="expected"), group_by="item")
        x = answer_counts(filters, Selector(cat.gaps, role="experienced"), group_by="item")
        for item in codes:
            gaps[item] = gap(e.get(item, {}), x.get(item, {}), scale_max=scale, min_n=MIN_N)
    derived, r2, respondents, capped = _derived_importance(filters, cat, sorted(codes))
    names = {d.code: d.name(language) for d in Dimension.objects.all()}
    performance = {i.code: i.satisfaction.value for i in index.items}
    weights = {i.code: i.weight for i in index.items}
    placed = {
        p.code: p.quadrant
        for p in quadrants(
            [
                (code, derived.get(code, weights.get(code, 0.0)), performance[code])
                for code in performance
                if performance[code] is not None
            ]
        )
    }
    rows = []
    for item in index.items:
        g = gaps.get(item.code)
        rows.append(
            ItemRow(
                code=item.code,
                name=names.get(item.code, item.code),
                weight=item.weight,
                satisfaction=item.satisfaction,
                below_target=item.below_target,
                importance=importance.get(item.code, Estimate.empty()),
                derived=derived.get(item.code),
                expected=g.expected if g else Estimate.empty(),
                experienced=g.experienced if g else Estimate.empty(),
                gap=g.gap if g else None,
                quadrant=placed.get(item.code, ""),
            )
        )
    return ItemAnalysis(
        index.overall, tuple(rows), r2, respondents, target, index.parts, capped, DRIVER_SAMPLE
    )


DRIVER_SAMPLE = 5000  # most recent respondents behind derived importance


def importance_of_items(analysis: ItemAnalysis) -> dict[str, float]:
    """Each item's importance for the quadrant chart: derived from the data (its share of the
    explained variance) where there is enough of it, else its stated weight as a share."""
    if any(r.derived is not None for r in analysis.rows):
        return {r.code: (r.derived if r.derived is not None else r.weight) for r in analysis.rows}
    total = sum(r.weight for r in analysis.rows) or 1.0
    return {r.code: r.weight / total for r in analysis.rows}


def _derived_importance(filters: Filters, cat: QuestionCatalogue, items: list[str]):
    """Shapley shares of overall satisfaction's R² on item scores, over respondents who
    answered the overall question and every item. Needs answers, not counts: it reads the
    most recent DRIVER_SAMPLE valid responses in the cut (`queries.recent_sample`).
    Returns (shares, R², respondents, whether the sample left responses out)."""
    overall_codes = cat.csat.get(5, ())
    if not items or not overall_codes or not cat.items:
        return {}, None, 0, False
    sample, capped = recent_sample(filters, (*overall_codes, *cat.items), DRIVER_SAMPLE)
    rows = Answer.objects.filter(
        response_id__in=sample,
        question__code__in=(*overall_codes, *cat.items),
        number__isnull=False,
    ).values_list("response_id", "dimension__code", "number")
    by_response: dict[int, dict] = {}
    for response_id, item, number in rows:
        by_response.setdefault(response_id, {})[item or "__overall__"] = number
    X, y = [], []
    for _response_id, values in sorted(by_response.items()):
        if "__overall__" in values and all(i in values for i in items):
            X.append([values[i] for i in items])
            y.append(values["__overall__"])
    if len(y) <= len(items) + 1:
        return {}, None, len(y), capped
    result = shapley_r2(X, y)
    return dict(zip(items, result.relative, strict=True)), result.r2, len(y), capped


@dataclass(frozen=True)
class BreakdownRow:
    key: object
    csat: Estimate
    nps: Estimate
    csi: Estimate
    csat_differs: bool  # from the rest, after Benjamini-Hochberg across rows


def breakdown(filters: Filters, by: str) -> list[BreakdownRow]:
    """Scores by segment, region, team, channel or survey; each row's CSAT is tested against
    all other rows together, with the false discovery rate controlled across rows."""
    cat = catalogue(filters.survey_ids)
    csat_by = csat_parts(filters, cat, group_by=by)
    nps_by = answer_counts(filters, Selector(cat.nps), group_by=by) if cat.nps else {}
    items_by = _csi_by(filters, group_by=by)
    keys = sorted(set(csat_by) | set(nps_by) | set(items_by), key=str)
    total_s = sum(p[0] for p in csat_by.values())
    total_n = sum(p[1] for p in csat_by.values())
    tests = []
    for key in keys:
        s, n = csat_by.get(key, (0, 0, {}))[:2]
        tests.append(two_proportion_z(total_s - s, total_n - n, s, n))
    p_values = [t.p_value if t.p_value is not None else 1.0 for t in tests]
    fdr = benjamini_hochberg(p_values)
    return [
        BreakdownRow(
            key=key,
            csat=proportion(*csat_by.get(key, (0, 0, {}))[:2], min_n=MIN_N),
            nps=nps(nps_by.get(key, {}), min_n=MIN_N).score,
            csi=items_by.get(key, _NO_CSI).overall,
            csat_differs=fdr.significant[i],
        )
        for i, key in enumerate(keys)
    ]
