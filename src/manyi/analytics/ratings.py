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

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from manyi.metrics.csi import PairSums, Questionnaire
from manyi.surveys.choices import AnswerRole, MatrixMeasure, QuestionType
from manyi.surveys.models import Dimension, Question, QuestionItem

from . import counts, sql, tail
from .cuts import CUTS, TEAM_SQL
from .models import PairRollup
from .queries import (
    Filters,
    _by,
    _group_key,
    _live_group,
    _live_where,
    _rollup_cut,
    _rollup_group,
    _rollup_where,
    _tail_cuts,
    _tail_group,
    _tail_match,
    _with_mark,
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


def _rated(names: list[str]) -> tuple[str, list]:
    """`r AS (...)` over `ra` (the ratings, one row per answer, with `resp`, `version_id`,
    the `names` columns, `item`, `number`, `scale`, `page`, `position` and `qid`): the
    first rating of each item in a response, and whether its version's index weighs it."""
    sets = weight_sets()
    ids = {code: pk for pk, code in Dimension.objects.values_list("pk", "code")}
    cases, case_params = [], []
    for s in sets:
        weighed = [ids[code] for code, weight in s.weights if weight > 0 and code in ids]
        if weighed and s.version_ids:
            cases.append(
                f"WHEN ra.version_id IN ({', '.join(['%s'] * len(s.version_ids))}) "
                f"AND ra.item IN ({', '.join(['%s'] * len(weighed))}) THEN 1"
            )
            case_params += [*s.version_ids, *weighed]
    weighed_sql = f"CASE {' '.join(cases)} ELSE 0 END" if cases else "0"
    repeats = [version_id for s in sets for version_id in s.repeats]
    first_only, repeat_params = "", []
    if repeats:
        # An item rated again later in the same response: only the first rating counts.
        first_only = (
            f"WHERE NOT (ra.version_id IN ({', '.join(['%s'] * len(repeats))}) AND EXISTS ("
            "SELECT 1 FROM ra e WHERE e.resp = ra.resp AND e.item = ra.item AND (e.page < ra.page"
            " OR (e.page = ra.page AND (e.position < ra.position"
            " OR (e.position = ra.position AND e.qid < ra.qid))))))"
        )
        repeat_params = list(repeats)
    statement = (
        "r AS (SELECT ra.resp AS resp, ra.version_id AS version_id"
        + "".join(f", ra.{name} AS {name}" for name in names)
        + f", ra.item AS item, ra.number AS number, ra.scale AS scale, {weighed_sql} AS weighed "
        f"FROM ra {first_only}) "
    )
    return statement, [*case_params, *repeat_params]


# Which answers rate an evaluated item: a row of a satisfaction matrix, or a CSAT question
# that names an item; over `a` (answer) and `q` (question), or a window table's columns.
RATES_ITEM = (
    "{number} IS NOT NULL AND {scale} IS NOT NULL AND ("
    "({type} = %s AND {measure} = %s AND {role} = %s AND {dimension} IS NOT NULL)"
    " OR ({type} = %s AND {question_dimension} IS NOT NULL))"
)
KINDS = [QuestionType.MATRIX, MatrixMeasure.SATISFACTION, AnswerRole.VALUE, QuestionType.CSAT]


def ratings_sql(where: str, params: list, columns: list[tuple[str, str]], column_params: list):
    """The head of a statement (`WITH ... r AS (...)`) whose `r` holds the answers that count
    for the index, of the valid responses matching `where` (SQL over `r` and `c`, with
    `params`): one row per response and item, with `resp`, the response-level `columns`
    ((name, SQL) with `column_params`), `item`, `number`, `scale` and `weighed` (1 when the
    item is one its version's index weighs). The responses are selected first and their
    answers looked up per response (see `sql.answers_of`)."""
    names = [name for name, _expression in columns]
    rated, rated_params = _rated(names)
    rates_item = RATES_ITEM.format(
        number="a.number", scale="q.scale_max", type="q.type", measure="q.measure",
        role="a.role", dimension="a.dimension_id", question_dimension="q.dimension_id",
    )  # fmt: skip
    head = (
        f"WITH w AS {sql.MATERIALIZED} (SELECT r.id AS id, r.version_id AS version_id"
        + "".join(f", {expression} AS {name}" for name, expression in columns)
        + f" FROM {counts.response_from()} WHERE {where} AND r.is_valid), "
        "ra AS (SELECT w.id AS resp, w.version_id AS version_id"
        + "".join(f", w.{name} AS {name}" for name in names)
        + ", COALESCE(a.dimension_id, q.dimension_id) AS item, a.number AS number, "
        "q.scale_max AS scale, q.page AS page, q.position AS position, q.id AS qid "
        f"FROM w {sql.answers_of('w', counts.ANSWERS)} "
        f"JOIN {counts.QUESTIONS} q ON q.id = a.question_id WHERE {rates_item}), "
        f"{rated}"
    )
    return head, [
        *column_params, *sql.adapt(params), *[str(k) for k in KINDS], *rated_params
    ]  # fmt: skip


def pairs_from_window(table: str, cuts: list[str]) -> tuple[str, list]:
    """The pair sums of a window table (`counts.window_answers`), as `pairs_grouped`."""
    names = ["day", "survey_id", "team_id", *(f"cut_{name}" for name in cuts)]
    rated, rated_params = _rated(names)
    rates_item = RATES_ITEM.format(
        number="x.number", scale="x.scale", type="x.q_type", measure="x.q_measure",
        role="x.role", dimension="x.dimension_id", question_dimension="x.q_dimension_id",
    )  # fmt: skip
    head = (
        "WITH ra AS (SELECT x.resp AS resp, x.version_id AS version_id"
        + "".join(f", x.{name} AS {name}" for name in names)
        + ", COALESCE(x.dimension_id, x.q_dimension_id) AS item, x.number AS number, "
        "x.scale AS scale, x.page AS page, x.position AS position, x.qid AS qid "
        f"FROM {table} x WHERE {rates_item}), {rated}"
    )
    keys = ["day", "survey_id", "version_id", "team_id", *(f"cut_{n}" for n in cuts)]
    return head + _pairs_select(keys), [*[str(k) for k in KINDS], *rated_params]


def _pairs_select(keys: list[str]) -> str:
    """Pair sums over `r` grouped by `keys` (columns of r), and respondent rows (items 0)."""
    a_keys = ", ".join(f"a.{k}" for k in keys)
    plain = ", ".join(keys)
    return (
        f"SELECT {a_keys}, a.item AS item_a, a.scale AS scale_a, b.item AS item_b, "
        "b.scale AS scale_b, COUNT(*) AS n, SUM(a.number) AS sum_a, SUM(b.number) AS sum_b, "
        "SUM(a.number * b.number) AS sum_ab "
        "FROM r a JOIN r b ON a.resp = b.resp AND a.item <= b.item "
        f"GROUP BY {a_keys}, a.item, a.scale, b.item, b.scale "
        f"UNION ALL SELECT {plain}, 0, 0, 0, 0, "
        "COUNT(DISTINCT CASE WHEN weighed = 1 THEN resp END), 0, 0, 0 "
        f"FROM r GROUP BY {plain}"
    )


def pairs_grouped(where: str, params: list, cuts=None) -> tuple[str, list]:
    """SQL of the pair sums of the valid responses matching `where`, grouped by day, survey,
    version, team and the cuts' values (all cuts, or those named), then items and scales,
    with n, Σa, Σb and Σab; respondent rows have items 0 and count in n the respondents who
    rated an item their version's index weighs."""
    names = list(CUTS) if cuts is None else list(cuts)
    day, day_params = sql.local_day("r.submitted_at")
    columns = [
        ("day", day),
        ("survey_id", "r.survey_id"),
        ("team_id", f"COALESCE({TEAM_SQL}, 0)"),
        *((f"cut_{name}", sql.text(CUTS[name].sql)) for name in names),
    ]
    head, head_params = ratings_sql(where, params, columns, day_params)
    keys = ["day", "survey_id", "version_id", "team_id", *(f"cut_{n}" for n in names)]
    return head + _pairs_select(keys), head_params


def group_ratings(cursor, table: str) -> None:
    """The pair sums of a window table into `manyi_pairs`, for `counts` to sum into the
    rollup."""
    statement, params = pairs_from_window(table, list(CUTS))
    cursor.execute("DROP TABLE IF EXISTS manyi_pairs")
    cursor.execute(f"CREATE TEMPORARY TABLE manyi_pairs AS {statement}", params)


def _live_pair_rows(filters: Filters, group_by, *, days, until) -> list[tuple]:
    """(group, version, item a, scale a, item b, scale b, n, Σa, Σb, Σab) from the answers of
    the cut's responses (on `days` up to `until`, if given)."""
    where, params = _live_where(filters, days=days, until=until)
    group, group_params = _live_group(group_by)
    head, head_params = ratings_sql(" AND ".join(where), params, [("grp", group)], group_params)
    statement = head + _pairs_select(["grp", "version_id"])
    with connection.cursor() as cursor:
        cursor.execute(statement, head_params)
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
