"""An action's metric, measured for the group it touched and for its comparison group in the
before and after windows, the effect with the right test (METHODS.md, "Did an improvement
action work?"), and the metric over time for the action's timeline.

Survey metrics (CSAT, NPS, an item's mean) are counted by `analytics.queries` (the rollups
and the live tail), over every team: an action measures the company. "Everyone the action
did not touch" is the whole minus the touched group, counted once each (every response has
one value of a cut). Complaint rates are complaints per 100 customers who bought in the
window, counted in the database for the group and for everyone outside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Count, DateField, Exists, OuterRef, Q
from django.db.models.functions import Trunc

from manyi.analytics.figures import csat_parts
from manyi.analytics.queries import (
    Filters,
    Selector,
    answer_counts,
    catalogue,
    day_instants,
    period_start,
    period_starts,
)
from manyi.cases.choices import CaseType
from manyi.cases.figures import rate
from manyi.cases.models import Case
from manyi.customers.models import Purchase, PurchaseItem
from manyi.metrics import counts as mc
from manyi.metrics import effects
from manyi.metrics.scores import Estimate, mean, nps, proportion

from .choices import Comparison, Method, Metric
from .models import Improvement
from .scopes import SCOPES


@dataclass(frozen=True)
class Reading:
    """One group in one window: the figure as shown (value, interval, n: answers, or
    customers who bought for a rate) and the cell the effect is computed from."""

    estimate: Estimate
    cell: effects.Cell | None
    count: int | None = None  # the satisfied (a CSAT share) or the complaints (a rate)


@dataclass(frozen=True)
class Measurement:
    method: str
    treated_before: Reading
    treated_after: Reading
    comparison_before: Reading | None
    comparison_after: Reading | None
    effect: effects.Effect


def _min_n() -> int:
    return settings.MANYI_MIN_SAMPLE


def _parse(improvement: Improvement, text: str):
    return SCOPES[improvement.scope].parse(text)


# ----- survey metrics: counts {value: n} per group ---------------------------------------


def _scale(cat) -> int:
    """The largest scale of the items' questions (an item's mean stays within 1 and it)."""
    codes = [*cat.items, *(c for codes in cat.item_csat.values() for c in codes)]
    return max((cat.scales.get(c, 5) for c in codes), default=5)


def _survey_counts(improvement: Improvement, filters: Filters, group_by=None) -> dict:
    """{group: counts}: for CSAT {1: satisfied, 0: not}, for NPS and items the answers."""
    cat = catalogue(filters.survey_ids)
    if improvement.metric == Metric.CSAT:
        return {
            g: {1: satisfied, 0: n - satisfied}
            for g, (satisfied, n, _five) in csat_parts(filters, cat, group_by=group_by).items()
        }
    if improvement.metric == Metric.NPS:
        return answer_counts(filters, Selector(cat.nps), group_by=group_by) if cat.nps else {}
    # An item: its rows of the satisfaction matrices and its own CSAT questions.
    code = improvement.dimension.code if improvement.dimension_id else None
    by_group: dict = {}
    if code and cat.items:
        by_group = answer_counts(filters, Selector(cat.items, item=code), group_by=group_by)
    if code and cat.item_csat.get(code):
        own = answer_counts(filters, Selector(cat.item_csat[code]), group_by=group_by)
        for group, counts in own.items():
            by_group[group] = mc.merge(by_group.get(group, {}), counts)
    return by_group


def _survey_reading(improvement: Improvement, counts: dict, scale: int) -> Reading:
    min_n = _min_n()
    if improvement.metric == Metric.CSAT:
        satisfied, n = counts.get(1, 0), counts.get(1, 0) + counts.get(0, 0)
        return Reading(
            proportion(satisfied, n, min_n=min_n), effects.share(satisfied, n), satisfied
        )
    if improvement.metric == Metric.NPS:
        n = sum(counts.values())
        promoters = sum(k for v, k in counts.items() if v >= 9)
        detractors = sum(k for v, k in counts.items() if v <= 6)
        return Reading(nps(counts, min_n=min_n).score, effects.nps(promoters, detractors, n))
    return Reading(mean(counts, min_n=min_n, bounds=(1, scale)), effects.mean(mc.moments(counts)))


def _filters(improvement: Improvement, since: dt.date, until: dt.date, value=None) -> Filters:
    filters = Filters(
        survey_ids=(improvement.survey_id,) if improvement.survey_id else (),
        since=since,
        until=until,
    )
    if value is not None:
        filters = replace(filters, **{SCOPES[improvement.scope].field: value})
    return filters


def _survey_groups(improvement: Improvement, since, until, group_by=None) -> tuple[dict, dict]:
    """({group: treated counts}, {group: comparison counts}) in one window."""
    treated_value = _parse(improvement, improvement.scope_value) if improvement.scope else None
    treated = _survey_counts(improvement, _filters(improvement, since, until, treated_value),
                             group_by)  # fmt: skip
    comparison: dict = {}
    if improvement.has_comparison and improvement.comparison == Comparison.REST:
        whole = _survey_counts(improvement, _filters(improvement, since, until), group_by)
        comparison = {g: mc.subtract(c, treated.get(g, {})) for g, c in whole.items()}
    elif improvement.has_comparison:  # one other group
        value = _parse(improvement, improvement.comparison_value)
        comparison = _survey_counts(
            improvement, _filters(improvement, since, until, value), group_by
        )
    return treated, comparison


# ----- complaint rates: (complaints, customers who bought) per group ---------------------


def _where(improvement: Improvement, value) -> tuple[Q, Q]:
    """The group as a filter on cases and on purchases."""
    if improvement.scope == "team":
        return Q(customer__team_id=value), Q(customer__team_id=value)
    if improvement.scope == "segment":
        return Q(customer__segment_id=value), Q(customer__segment_id=value)
    if improvement.scope == "region":
        return Q(customer__region=value), Q(customer__region=value)
    if improvement.scope == "product":
        bought = PurchaseItem.objects.filter(product_id=value)
        return (
            Q(Exists(bought.filter(purchase_id=OuterRef("purchase_id")))),
            Q(Exists(bought.filter(purchase_id=OuterRef("pk")))),
        )
    return Q(), Q()


def _rate_counts(improvement: Improvement, since, until, cases_q: Q, buyers_q: Q, period=None):
    """{group: (complaints, customers who bought)}; the group is a period start with
    `period`, else None (as the survey counts)."""
    start, end = day_instants(since, until)
    complaints = Case.objects.filter(case_type=CaseType.COMPLAINT, opened_at__gte=start,
                                     opened_at__lt=end).filter(cases_q)  # fmt: skip
    if improvement.category_id:
        complaints = complaints.filter(category_id=improvement.category_id)
    buying = Purchase.objects.filter(purchased_at__gte=start, purchased_at__lt=end).filter(buyers_q)
    if period is None:
        return {None: (complaints.count(), buying.values("customer_id").distinct().count())}
    # Periods in the site's time zone (Trunc uses the current one), like the survey counts.
    events = dict(
        complaints.annotate(p=Trunc("opened_at", period, output_field=DateField()))
        .values_list("p").annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    bases = dict(
        buying.annotate(p=Trunc("purchased_at", period, output_field=DateField()))
        .values_list("p").annotate(n=Count("customer_id", distinct=True)).order_by()
    )  # fmt: skip
    return {p: (events.get(p, 0), bases.get(p, 0)) for p in set(events) | set(bases)}


def _rate_groups(improvement: Improvement, since, until, period=None) -> tuple[dict, dict]:
    treated_value = _parse(improvement, improvement.scope_value) if improvement.scope else None
    cases_q, buyers_q = _where(improvement, treated_value)
    treated = _rate_counts(improvement, since, until, cases_q, buyers_q, period)
    comparison: dict = {}
    if improvement.has_comparison and improvement.comparison == Comparison.REST:
        comparison = _rate_counts(improvement, since, until, ~cases_q, ~buyers_q, period)
    elif improvement.has_comparison:  # one other group
        other_cases, other_buyers = _where(
            improvement, _parse(improvement, improvement.comparison_value)
        )
        comparison = _rate_counts(improvement, since, until, other_cases, other_buyers, period)
    return treated, comparison


def _rate_reading(events: int, base: int) -> Reading:
    """Complaints per 100 customers, with the exact Poisson interval of the complaint
    figures (`cases.figures.rate`)."""
    shown = rate(events, base)
    if shown.value is None:
        return Reading(Estimate.empty(), None, events)
    estimate = Estimate(shown.value, shown.low, shown.high, base, base >= _min_n())
    return Reading(estimate, effects.rate(events, base), events)


# ----- one window, both groups -------------------------------------------------------------


def _readings(improvement: Improvement, since, until) -> tuple[Reading, Reading | None]:
    if improvement.metric == Metric.COMPLAINT_RATE:
        treated, comparison = _rate_groups(improvement, since, until)
        return (
            _rate_reading(*treated[None]),
            _rate_reading(*comparison[None]) if comparison else None,
        )
    treated, comparison = _survey_groups(improvement, since, until)
    scale = _scale(catalogue(_filters(improvement, since, until).survey_ids))
    return (
        _survey_reading(improvement, treated.get(None, {}), scale),
        _survey_reading(improvement, comparison.get(None, {}), scale)
        if improvement.has_comparison
        else None,
    )


def measure(improvement: Improvement) -> Measurement:
    """The metric in both windows, for the touched group and its comparison group, and the
    effect: the difference in differences when there is a comparison group, else after −
    before (for a CSAT share with the pooled two-proportion z-test)."""
    tb, cb = _readings(improvement, improvement.before_since, improvement.before_until)
    ta, ca = _readings(improvement, improvement.after_since, improvement.after_until)
    better = improvement.higher_is_better
    if cb is not None and ca is not None:
        effect = effects.difference_in_differences(
            tb.cell, ta.cell, cb.cell, ca.cell, higher_is_better=better
        )
        return Measurement(Method.DID, tb, ta, cb, ca, effect)
    if improvement.metric == Metric.CSAT and tb.cell and ta.cell:
        effect = effects.before_after_shares(
            (tb.count, tb.estimate.n), (ta.count, ta.estimate.n), higher_is_better=better
        )
    else:
        effect = effects.before_after(tb.cell, ta.cell, higher_is_better=better)
    return Measurement(Method.BEFORE_AFTER, tb, ta, None, None, effect)


# ----- over time ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Timeline:
    period: str  # "week" or "month"
    starts: list[dt.date]
    treated: list[Estimate]
    comparison: list[Estimate] | None
    marks: list[tuple[str, dt.date]]  # (what, period start) of the action's dates


def timeline(improvement: Improvement, today: dt.date) -> Timeline:
    """The metric per week (per month over more than half a year) from the start of the
    before window to today or the end of the after window, for both groups, with the
    windows' dates marked."""
    since = improvement.before_since
    until = max(today, improvement.after_until)  # a window still to come shows as gaps
    period = "week" if (until - since).days <= 182 else "month"
    starts = period_starts(since, until, period)
    if improvement.metric == Metric.COMPLAINT_RATE:
        treated, comparison = _rate_groups(improvement, since, until, period=period)
        line = [_rate_reading(*treated.get(p, (0, 0))).estimate for p in starts]
        other = [_rate_reading(*comparison.get(p, (0, 0))).estimate for p in starts]
    else:
        treated, comparison = _survey_groups(improvement, since, until, group_by=period)
        scale = _scale(catalogue(_filters(improvement, since, until).survey_ids))
        line = [_survey_reading(improvement, treated.get(p, {}), scale).estimate for p in starts]
        other = [
            _survey_reading(improvement, comparison.get(p, {}), scale).estimate for p in starts
        ]
    marks = [
        ("before", period_start(improvement.before_since, period)),
        ("after", period_start(improvement.after_since, period)),
        ("end", period_start(improvement.after_until, period)),
    ]
    return Timeline(period, starts, line, other if improvement.has_comparison else None, marks)


def group_name(improvement: Improvement, value_text: str, language: str) -> str:
    """The readable name of a group of the action's cut (a region, a product, ...)."""
    if not improvement.scope:
        return ""
    scope = SCOPES[improvement.scope]
    value = scope.parse(value_text)
    return str(scope.names([value], language).get(value, value_text))
