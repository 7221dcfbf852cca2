"""Evaluated items: respondent-level sums for the weighted index (CSI), rolled up.

An item's satisfaction and the CSI's interval need each respondent's item answers, not only
counts by value (METHODS.md, "Weighted satisfaction index"). Which answers count:
- every rating question tied to an evaluated item: a row of a satisfaction matrix, or a
  satisfaction (CSAT) question that names an item (the delivery rating of the post-purchase
  template, the agent rating of the CES template);
- once per response and item: when one response rates an item in two questions, the first
  in question order (page, position) counts, the same rule as the version's own order;
- scored in percent of the question's scale, so 5-, 7- and 10-point questions add up.
The weights are those of the version answered, set in its satisfaction matrix: an item's
weight in the first matrix of the version that lists it (METHODS.md: the item's default
weight only pre-fills new questions). An item a version rates only in a separate question
has no weight there: it counts for the item's satisfaction, not for that version's index;
a version without a matrix gives no index.

What the index needs adds up: for every pair of items, how many respondents rated both and
the sums of their ratings and of the products of their ratings. `PairRollup` keeps these per
day and month, survey, version, team and cut, as integers (ratings, not yet scores, with the
scales in the key), so that sums are exact whichever way they are added; scores in % of the
scale are made from them in Python, the same way for rollup rows and for live ones.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Trunc, TruncDate

from manyi.metrics.csi import PairSums, Questionnaire
from manyi.surveys.choices import AnswerRole, MatrixMeasure, QuestionType
from manyi.surveys.models import Answer, Dimension, Question, QuestionItem

from . import tail
from .cuts import CUTS, TEAM_LOOKUP
from .models import PairRollup
from .queries import (
    PERIODS,
    Filters,
    _by,
    _group_key,
    _rollup_cut,
    _rollup_group,
    _rollup_where,
    _tail_cuts,
    _tail_group,
    _tail_match,
    _with_mark,
    local_midnight,
    valid_responses,
)

PAIR_ROLLUP = PairRollup._meta.db_table
PAIR_KEYS = ["version_id", "item_a", "scale_a", "item_b", "scale_b"]
PAIR_VALUES = ["n", "sum_a", "sum_b", "sum_ab"]


@dataclass(frozen=True)
class WeightSet:
    """Versions that weigh their items alike, so that their answers pool into one index."""

    key: int
    weights: tuple[tuple[str, float], ...]  # (item code, weight), by code
    version_ids: tuple[int, ...]
    repeats: tuple[int, ...] = ()  # versions rating an item in more than one question


def _item_rating_answers():
    """Answers that rate an evaluated item, with the item (`item_id`) annotated."""
    rates_item = Q(
        question__type=QuestionType.MATRIX,
        question__measure=MatrixMeasure.SATISFACTION,
        role=AnswerRole.VALUE,
        dimension__isnull=False,
    ) | Q(question__type=QuestionType.CSAT, question__dimension__isnull=False)
    return (
        Answer.objects.filter(rates_item, number__isnull=False, question__scale_max__isnull=False)
        .annotate(item_id=Coalesce("dimension_id", "question__dimension_id"))
        .order_by()
    )


def weight_sets(survey_ids: Iterable[int] = ()) -> tuple[WeightSet, ...]:
    """The item weights of every version in view that rates items, grouped into sets of
    versions with the same weights (versions that rate items only in separate questions
    form a set without weights)."""
    questions = Question.objects.filter(type=QuestionType.CSAT, dimension__isnull=False)
    items = QuestionItem.objects.filter(
        question__type=QuestionType.MATRIX, question__measure=MatrixMeasure.SATISFACTION
    )
    if survey_ids:
        questions = questions.filter(version__survey_id__in=survey_ids)
        items = items.filter(question__version__survey_id__in=survey_ids)
    by_version: dict[int, dict[str, float]] = defaultdict(dict)
    repeats: set[int] = set()
    order = ("question__version_id", "question__page", "question__position", "question_id")
    rows = items.order_by(*order, "position", "pk")
    rated: dict[int, set[str]] = defaultdict(set)
    for version_id, code, weight in rows.values_list(*order[:1], "dimension__code", "weight"):
        if code in rated[version_id]:
            repeats.add(version_id)
        rated[version_id].add(code)
        by_version[version_id].setdefault(code, float(weight))
    for version_id, code in questions.values_list("version_id", "dimension__code"):
        if code in rated[version_id]:
            repeats.add(version_id)
        rated[version_id].add(code)
    grouped: dict[tuple, list[int]] = defaultdict(list)
    for version_id in rated:  # a version rating items apart from any matrix: no weights
        grouped[tuple(sorted(by_version.get(version_id, {}).items()))].append(version_id)
    return tuple(
        WeightSet(
            key,
            weights,
            tuple(sorted(versions)),
            tuple(sorted(v for v in versions if v in repeats)),
        )
        for key, (weights, versions) in enumerate(sorted(grouped.items()), start=1)
    )


def _ratings(responses: Q):
    """The answers that count for the index, of valid responses matching `responses` (a
    condition on the response), with whether each counts for its version's index."""
    sets = weight_sets()
    answers = (
        _item_rating_answers()
        .filter(response__status="submitted", response__is_valid=True)
        .filter(responses)
    )
    # An item rated again later in the same response: only the first rating counts. Only
    # versions that rate an item twice need the (costlier) test.
    repeats = [version_id for s in sets for version_id in s.repeats]
    if repeats:
        earlier = _item_rating_answers().filter(
            Q(question__page__lt=OuterRef("question__page"))
            | Q(
                question__page=OuterRef("question__page"),
                question__position__lt=OuterRef("question__position"),
            )
            | Q(
                question__page=OuterRef("question__page"),
                question__position=OuterRef("question__position"),
                question_id__lt=OuterRef("question_id"),
            ),
            response_id=OuterRef("response_id"),
            item_id=OuterRef("item_id"),
        )
        answers = answers.exclude(Q(response__version_id__in=repeats), Exists(earlier))
    # Whether the respondent counts in the n of the version's index: an item it weighs.
    ids = {code: pk for pk, code in Dimension.objects.values_list("pk", "code")}
    weighed = [
        When(
            response__version_id__in=s.version_ids,
            item_id__in=[ids[code] for code, weight in s.weights if weight > 0],
            then=Value(1),
        )
        for s in sets
        if any(weight > 0 for _code, weight in s.weights)
    ]
    in_index = (
        Case(*weighed, default=Value(0), output_field=IntegerField())
        if weighed
        else Value(0, output_field=IntegerField())
    )
    return answers.annotate(weighed=in_index)


def _text(lookup: str):
    return Coalesce(Cast(F(lookup), CharField()), Value(""), output_field=CharField())


def pairs_grouped(responses: Q, cuts=None) -> tuple[str, list]:
    """SQL of the ratings of the valid responses matching `responses`, paired within each
    response and grouped by day, survey, version, team, the cuts' values (all cuts, or those
    named), items and scales, with n, Σa, Σb and Σab; respondent rows have items 0 and count
    in n the respondents who rated an item their version's index weighs."""
    names = list(CUTS) if cuts is None else list(cuts)
    cut_names = [f"cut_{name}" for name in names]
    rows = _ratings(responses).annotate(
        day=TruncDate("response__submitted_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)),
        team=Coalesce(f"response__{TEAM_LOOKUP}", Value(0), output_field=IntegerField()),
        **{f"cut_{name}": _text(f"response__{CUTS[name].lookup}") for name in names},
    )
    rows = rows.values_list(
        "response_id", "day", "response__survey_id", "response__version_id", "team",
        *cut_names, "item_id", "number", "question__scale_max", "weighed",
    )  # fmt: skip
    inner, params = rows.query.sql_with_params()
    columns = ["resp", "day", "survey_id", "version_id", "team_id", *cut_names]
    keys = ", ".join(columns[1:])
    a_keys = ", ".join(f"a.{c}" for c in columns[1:])
    statement = (
        f"WITH r ({', '.join(columns)}, item, number, scale, weighed) AS ({inner}) "
        f"SELECT {a_keys}, a.item AS item_a, a.scale AS scale_a, b.item AS item_b, "
        f"b.scale AS scale_b, COUNT(*) AS n, SUM(a.number) AS sum_a, SUM(b.number) AS sum_b, "
        f"SUM(a.number * b.number) AS sum_ab "
        f"FROM r a JOIN r b ON a.resp = b.resp AND a.item <= b.item "
        f"GROUP BY {a_keys}, a.item, a.scale, b.item, b.scale "
        f"UNION ALL "
        f"SELECT {keys}, 0, 0, 0, 0, COUNT(DISTINCT CASE WHEN weighed = 1 THEN resp END), 0, 0, 0 "
        f"FROM r GROUP BY {keys}"
    )
    return statement, list(params)


def group_ratings(cursor, since, until) -> None:
    """The window's pair sums into `manyi_pairs`, for `counts` to sum into the rollup."""
    window = Q(response__submitted_at__gt=since)
    if until is not None:
        window &= Q(response__submitted_at__lte=until)
    statement, params = pairs_grouped(window)
    cursor.execute("DROP TABLE IF EXISTS manyi_pairs")
    cursor.execute(f"CREATE TEMPORARY TABLE manyi_pairs AS {statement}", params)


def _group_expression(group_by):
    """A rating's group, as the rollups give it (cut values as text)."""
    if group_by is None:
        return Value(0, output_field=IntegerField())
    if group_by in PERIODS:
        return Trunc(
            "response__submitted_at",
            group_by,
            output_field=DateField(),
            tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE),
        )
    if group_by == "survey":
        return F("response__survey_id")
    if group_by == "team":
        return Coalesce(f"response__{TEAM_LOOKUP}", Value(0), output_field=IntegerField())
    return _text(f"response__{CUTS[group_by].lookup}")


def _live(filters: Filters, days: list | None, until) -> Q:
    """The responses to read from the answers: in the cut; with `days` (ranges of local days
    the rollups do not hold), only those days, submitted up to `until` (the watermark)."""
    q = Q(response__in=valid_responses(filters).values("pk"))
    if days is None:
        return q
    either = Q(pk__in=[])
    for first, last in days:
        held = Q(response__submitted_at__lte=until)
        if first is not None and (start := local_midnight(first)):
            held &= Q(response__submitted_at__gte=start)
        if last < dt.date.max and (end := local_midnight(last + dt.timedelta(days=1))):
            held &= Q(response__submitted_at__lt=end)
        either |= held
    return q & either


def _live_pair_rows(filters: Filters, group_by, *, days, until) -> list[tuple]:
    rows = _ratings(_live(filters, days, until)).annotate(grp=_group_expression(group_by))
    rows = rows.values_list(
        "response_id", "grp", "response__version_id", "item_id", "number",
        "question__scale_max", "weighed",
    )  # fmt: skip
    inner, params = rows.query.sql_with_params()
    statement = (
        f"WITH r (resp, grp, version, item, number, scale, weighed) AS ({inner}) "
        "SELECT a.grp, a.version, a.item, a.scale, b.item, b.scale, COUNT(*), SUM(a.number), "
        "SUM(b.number), SUM(a.number * b.number) "
        "FROM r a JOIN r b ON a.resp = b.resp AND a.item <= b.item "
        "GROUP BY a.grp, a.version, a.item, a.scale, b.item, b.scale "
        "UNION ALL "
        "SELECT grp, version, 0, 0, 0, 0, COUNT(DISTINCT CASE WHEN weighed = 1 THEN resp END), "
        "0, 0, 0 FROM r GROUP BY grp, version"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def _pair_rows(filters: Filters, group_by) -> list[tuple]:
    """(group key, version, item a, scale a, item b, scale b, n, Σa, Σb, Σab) rows, integers:
    from the rollups, the days they do not hold and the live tail; or, for a query that
    combines cuts, from the answers alone."""
    cut = _rollup_cut(filters, group_by)
    if cut is None:
        rows = _live_pair_rows(filters, group_by, days=None, until=None)
        return [(_group_key(row[0], group_by), *row[1:]) for row in rows]
    where, params, live_days = _rollup_where(filters, cut, group_by)
    group = _rollup_group(group_by)
    keys = ", ".join(PAIR_KEYS)
    sums = ", ".join(f"SUM({v}) AS {v}" for v in PAIR_VALUES)
    mark, rows = _with_mark(
        f"SELECT {group} AS g, {keys}, {sums} FROM {PAIR_ROLLUP} "
        f"WHERE {' AND '.join(where)} GROUP BY {_by(group, keys)}",
        params,
    )
    if live_days:
        rows += _live_pair_rows(filters, group_by, days=live_days, until=mark)
    result = [(_group_key(row[0], group_by), *row[1:]) for row in rows]
    cuts = _tail_cuts(filters, group_by)
    keeps, group_of = _tail_match(filters, cuts), _tail_group(group_by, cuts)
    for day, survey, version, team, values, *rest in tail.pairs(mark, cuts):
        if keeps(day, survey, team, values):
            result.append((group_of(day, survey, team, values, ""), version, *rest))
    return result


def item_rating_sums(
    filters: Filters, sets: tuple[WeightSet, ...], *, group_by=None
) -> dict[object, list[Questionnaire]]:
    """{group: one Questionnaire per weight set}: for every pair of items, the respondents
    (valid responses in the cut) who rated both and the sums of their scores, from the
    rollups and the live tail in one statement; a few rows per group and pair come back."""
    if not sets:
        return {}
    set_of = {version: s.key for s in sets for version in s.version_ids}
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    respondents: dict[tuple, int] = defaultdict(int)
    for grp, version, a, scale_a, b, scale_b, n, x, y, xy in _pair_rows(filters, group_by):
        group = (grp, set_of.get(version, 0))
        if not a:
            respondents[group] += int(n)
            continue
        total = totals[(*group, a, b, int(scale_a), int(scale_b))]
        for i, value in enumerate((n, x, y, xy)):
            total[i] += int(value or 0)
    codes = {pk: code for pk, code in Dimension.objects.values_list("pk", "code")}
    # Scores (% of each scale) from the exact integer sums, in one fixed order.
    pairs: dict[tuple, dict[tuple, list]] = defaultdict(dict)
    for (group, wset, a, b, scale_a, scale_b), (n, x, y, xy) in sorted(
        totals.items(), key=lambda kv: (str(kv[0][0]), *kv[0][1:])
    ):
        pair = pairs[(group, wset)].setdefault((a, b), [0, 0.0, 0.0, 0.0, 0])
        unit_a, unit_b = 100 / scale_a, 100 / scale_b
        pair[0] += n
        pair[1] += x * unit_a
        pair[2] += y * unit_b
        pair[3] += xy * unit_a * unit_b
        pair[4] = max(pair[4], scale_a)
    weights = {s.key: dict(s.weights) for s in sets}
    result: dict[object, list[Questionnaire]] = defaultdict(list)
    for (group, wset), n in sorted(respondents.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        sums = tuple(
            PairSums(codes[a], codes[b], p[0], p[1], p[2], p[3], 100 / p[4] if p[4] else 0.0)
            for (a, b), p in sorted(pairs[(group, wset)].items())
        )
        result[group].append(Questionnaire(weights.get(wset, {}), sums, n))
    return dict(result)
