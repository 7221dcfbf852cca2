"""Every figure read from the rollups equals the same figure computed from the raw answers:
for random data (the demo generator with several seeds), every cut as a filter and as a
grouping, every period grouping, periods that start and end inside months (before and after
the day the cuts' day rows are kept from), with a live tail after the watermark, and with
the access scope of a team. The reference is written the plainest way: each valid answer
read with its response and customer, filtered and grouped in Python."""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import fields, replace

import pytest
from django.core.management import call_command
from django.utils import timezone

from manyi.analytics import counts, figures
from manyi.analytics.cuts import CUTS
from manyi.analytics.forms import DashboardFilterForm
from manyi.analytics.models import AnswerRollup, FillState, PairRollup, ResponseRollup
from manyi.analytics.queries import (
    PERIODS,
    Filters,
    Selector,
    answer_counts,
    catalogue,
    period_start,
    response_totals,
)
from manyi.customers.models import PurchaseItem
from manyi.surveys.models import Answer, Invitation, Response

UNTIL = dt.date(2026, 11, 23)
GROUPS = (None, "survey", "item", "team", *CUTS, *PERIODS)


def _main_products() -> dict[int, int]:
    """The first-listed product of every purchase, the plain way."""
    products: dict[int, int] = {}
    for purchase_id, product_id in PurchaseItem.objects.order_by("pk").values_list(
        "purchase_id", "product_id"
    ):
        products.setdefault(purchase_id, product_id)
    return products


def _subjects() -> dict[int, dict]:
    """Each submitted response's cut values and local day, from its invitation and
    customer (not from the columns the fill reads)."""
    products = _main_products()
    invitations = {
        pk: (purchase_id, handler)
        for pk, purchase_id, handler in Invitation.objects.values_list(
            "pk", "purchase_id", "interaction__handled_by_id"
        )
    }
    subjects = {}
    rows = Response.objects.filter(status="submitted").values_list(
        "pk", "survey_id", "submitted_at", "is_valid", "channel", "invitation_id",
        "entered_by_id", "customer__team_id", "customer__segment_id", "customer__region",
    )  # fmt: skip
    for pk, survey, at, valid, channel, invitation, entered_by, team, segment, region in rows:
        purchase, handler = invitations.get(invitation, (None, None))
        subjects[pk] = {
            "day": timezone.localtime(at).date(),
            "survey": survey,
            "valid": bool(valid),
            "team": team or 0,
            "segment": segment or 0,
            "region": region or "",
            "channel": channel or "",
            "product": products.get(purchase, 0) if purchase else 0,
            "staff": handler or entered_by or 0,
        }
    return subjects


def _keeps(filters: Filters, s: dict) -> bool:
    return (
        (not filters.survey_ids or s["survey"] in filters.survey_ids)
        and (filters.since is None or s["day"] >= filters.since)
        and (filters.until is None or s["day"] <= filters.until)
        and all(s[name] == value for name, value in filters.cut_values().items())
        and (not filters.team_id or s["team"] == filters.team_id)
        and (filters.team_ids is None or s["team"] in filters.team_ids)
    )


def _group(s: dict, item: str, group_by):
    if group_by is None:
        return None
    if group_by in PERIODS:
        return period_start(s["day"], group_by)
    return item if group_by == "item" else s[group_by]


def _valid_answers(subjects) -> list[tuple]:
    valid = {pk for pk, s in subjects.items() if s["valid"]}
    rows = Answer.objects.values_list(
        "response_id", "question__code", "role", "dimension__code", "number", "choices"
    )
    return [row for row in rows if row[0] in valid]


def reference_answers(subjects, answers, filters: Filters, selector: Selector, group_by):
    result: dict = defaultdict(lambda: defaultdict(int))
    for response_id, code, role, item, number, choices in answers:
        s, item = subjects[response_id], item or ""
        if code not in selector.codes or role != selector.role or not _keeps(filters, s):
            continue
        if selector.item is not None and item != selector.item:
            continue
        if selector.options and number is None:
            for option in choices or []:
                result[_group(s, item, group_by)][str(option)[:100]] += 1
        elif not selector.options and number is not None:
            result[_group(s, item, group_by)][number] += 1
    return {k: dict(v) for k, v in result.items()}


def reference_totals(subjects, filters: Filters, group_by) -> dict:
    result: dict = defaultdict(lambda: [0, 0])
    for s in subjects.values():
        if _keeps(filters, s):
            tally = result[_group(s, "", group_by)]
            tally[0] += 1
            tally[1] += s["valid"]
    return {k: (v[0], v[1]) for k, v in result.items()}


def _selectors() -> list[Selector]:
    cat = catalogue()
    selectors = [Selector(codes, item="") for codes in cat.csat.values()]
    selectors += [Selector(cat.nps), Selector(cat.ces), Selector(cat.items)]
    selectors += [Selector(cat.gaps, role="expected"), Selector(cat.gaps, role="experienced")]
    selectors += [Selector(cat.items, item=item) for item in sorted(cat.item_csat)[:2]]
    chosen = Answer.objects.filter(number__isnull=True).exclude(choices=[])
    codes = sorted(set(chosen.values_list("question__code", flat=True)))
    selectors += [Selector(tuple(codes), options=True)]
    return [s for s in selectors if s.codes]


def _periods(rng: random.Random, kept_from: dt.date) -> list[tuple]:
    """Whole years, whole months, periods inside one month, ends inside months before and
    after the day the cuts' day rows are kept from, and open ends."""
    first = UNTIL - dt.timedelta(days=700)
    periods = [
        (None, None),
        (dt.date(2026, 1, 1), UNTIL),  # the dashboards' default: today's month so far
        (dt.date(2025, 3, 1), dt.date(2025, 5, 31)),  # whole months only
        (dt.date(2025, 6, 11), dt.date(2025, 6, 20)),  # inside one old month
        (kept_from - dt.timedelta(days=9), kept_from + dt.timedelta(days=40)),
        (None, kept_from - dt.timedelta(days=3)),
        (dt.date(2025, 2, 14), None),
    ]
    for _ in range(2):
        since = first + dt.timedelta(days=rng.randrange(650))
        periods.append((since, since + dt.timedelta(days=rng.randrange(1, 400))))
    return periods


def _present(subjects, name: str, rng: random.Random):
    values = sorted({s[name] for s in subjects.values() if s[name]}, key=str)
    return values[rng.randrange(len(values))]


@pytest.mark.parametrize("seed", [7, 2026])
def test_rollups_give_the_same_figures_as_the_raw_answers(db, seed):
    rng = random.Random(seed)
    call_command(
        "demo_data", "--customers", "150", "--purchases", "500", "--interactions", "250",
        "--responses", "4000", "--seed", str(seed), "--until", UNTIL.isoformat(),
        "-v", "0",
    )  # fmt: skip
    # The rollups filled up to a moment 25 days before the data ends; the rest is the live
    # tail. A response whose customer moved to another team since is counted by its team
    # at the time of the fill in the rollups, so the reference reads the same customers.
    watermark = timezone.make_aware(dt.datetime.combine(UNTIL, dt.time(10))) - dt.timedelta(25)
    counts.rebuild(now=watermark + counts.LAG)
    state = FillState.objects.get()
    assert state.filled_until == watermark
    assert Response.objects.filter(status="submitted", submitted_at__gt=watermark).exists()
    subjects = _subjects()
    answers = _valid_answers(subjects)
    selectors = _selectors()
    assert len(subjects) > 300
    kept_from = state.cut_days_from
    teams = sorted({s["team"] for s in subjects.values() if s["team"]})

    checked = 0
    for since, until in _periods(rng, kept_from):
        base = Filters(since=since, until=until)
        cases = [(base, group_by) for group_by in GROUPS]
        for name, cut in CUTS.items():  # a cut as a filter, alone and with another grouping
            narrowed = replace(base, **{cut.field: _present(subjects, name, rng)})
            cases += [(narrowed, None), (narrowed, "month"), (narrowed, "week")]
            cases += [(narrowed, rng.choice([g for g in CUTS if g != name]))]  # live only
        cases += [
            (replace(base, team_ids=(teams[0],)), None),
            (replace(base, team_ids=(teams[0],)), "segment"),
            (replace(base, team_id=teams[-1]), "product"),
            (replace(base, survey_ids=(_present(subjects, "survey", rng),)), "month"),
        ]
        for filters, group_by in cases:
            for selector in selectors:
                got = answer_counts(filters, selector, group_by=group_by)
                want = reference_answers(subjects, answers, filters, selector, group_by)
                assert got == want, (seed, filters, selector, group_by)
            if group_by != "item":  # responses have no item
                got_totals = {
                    k: (t.submitted, t.valid)
                    for k, t in response_totals(filters, group_by=group_by).items()
                }
                want_totals = reference_totals(subjects, filters, group_by)
                assert got_totals == want_totals, (seed, filters, group_by)
            checked += 1
    assert checked > 300
    assert AnswerRollup.objects.filter(grain="d", cut="region", day__lt=kept_from).count() == 0


def test_dashboard_figures_are_the_same_with_and_without_rollups(db):
    call_command(
        "demo_data", "--customers", "120", "--purchases", "400", "--interactions", "200",
        "--responses", "3000", "--seed", "11", "--until", UNTIL.isoformat(), "-v", "0",
    )  # fmt: skip
    watermark = timezone.make_aware(dt.datetime.combine(UNTIL, dt.time(10))) - dt.timedelta(40)
    counts.rebuild(now=watermark + counts.LAG)
    region = Response.objects.exclude(customer__region="").values_list(
        "customer__region", flat=True
    )[0]
    staff = Response.objects.exclude(served_by=None).values_list("served_by_id", flat=True)[0]
    periods = [
        Filters(since=dt.date(2026, 1, 1), until=UNTIL),
        Filters(since=dt.date(2025, 8, 17), until=dt.date(2026, 10, 9)),
        Filters(since=dt.date(2025, 8, 17), until=UNTIL, region=region),
        Filters(since=dt.date(2026, 9, 3), until=UNTIL, staff_id=staff),
    ]

    def everything():
        result = []
        for f in periods:
            result.append(figures.change(f))
            result += [figures.trend(f, p) for p in PERIODS]
            result += [figures.breakdown(f, by) for by in ("survey", "team", *CUTS)]
            result.append(figures.item_analysis(f, language="en"))
        return result

    from_rollups = everything()
    for rollup in (AnswerRollup, ResponseRollup, PairRollup):
        rollup.objects.all().delete()
    FillState.objects.all().delete()  # no watermark: every figure read from the answers
    from_answers = everything()
    for got, want in zip(from_rollups, from_answers, strict=True):
        assert got == want


def test_every_cut_is_a_filters_field_a_form_field_and_a_breakdown(admin_user):
    names = {f.name for f in fields(Filters)}
    form = DashboardFilterForm(user=admin_user)
    from manyi.analytics.views.pages import BREAKDOWNS

    for name, cut in CUTS.items():
        assert cut.field in names
        assert name in form.fields
        assert name in BREAKDOWNS


def _rollup_rows() -> dict[str, list[tuple]]:
    rows = {}
    for model in (AnswerRollup, ResponseRollup, PairRollup):
        columns = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows[model.__name__] = sorted(model.objects.values_list(*columns))
    return rows


def test_fills_across_month_ends_leave_the_rows_a_rebuild_writes(db):
    """The fill writes day rows only and closes a month's month rows once it is over (from
    its day rows), then drops the cuts' old day rows: after fills across one month end, and
    then across two at once, the rollups hold exactly what a rebuild writes."""
    call_command(
        "demo_data", "--customers", "100", "--purchases", "300", "--interactions", "100",
        "--responses", "2500", "--seed", "5", "--until", UNTIL.isoformat(), "-v", "0",
    )  # fmt: skip

    def at(days_before: int) -> dt.datetime:
        noon = timezone.make_aware(dt.datetime.combine(UNTIL, dt.time(12)))
        return noon - dt.timedelta(days=days_before)

    counts.rebuild(now=at(95) + counts.LAG)  # in August
    open_month = counts.months_from(at(95))
    assert open_month == dt.date(2026, 8, 1)
    assert not AnswerRollup.objects.filter(grain="m", day__gte=open_month).exists()
    assert AnswerRollup.objects.filter(grain="d", cut="region", day__gte=open_month).exists()
    # An earlier version wrote month rows of the open month too: closing replaces them.
    stale = AnswerRollup.objects.filter(grain="d", cut="", day__gte=open_month).first()
    AnswerRollup.objects.create(
        **{
            f.attname: getattr(stale, f.attname)
            for f in AnswerRollup._meta.concrete_fields
            if f.attname not in ("id", "grain", "day", "count")
        },
        grain="m",
        day=open_month,
        count=999,
    )

    for days_before in (80, 70, 10):  # into September, within it, then into November
        counts.fill(now=at(days_before) + counts.LAG)
        state = FillState.objects.get()
        assert state.cut_days_from == counts.cut_days_from(at(days_before))
        filled = _rollup_rows()
        counts.rebuild(now=at(days_before) + counts.LAG)
        assert filled == _rollup_rows(), days_before
    assert AnswerRollup.objects.filter(grain="m", day=dt.date(2026, 10, 1)).exists()
    assert not AnswerRollup.objects.filter(grain="m", day=dt.date(2026, 11, 1)).exists()
