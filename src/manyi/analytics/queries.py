"""The single source of survey numbers: counts by any cut, read from the count tables plus the
live tail, and scoped to what the user may see. Scores are computed from these counts by
`manyi.metrics`; dashboards, reports, exports and the API all call these functions.

Evaluated items are the exception: their satisfaction and the weighted index (CSI) need
respondent-level sums (one respondent's item ratings are correlated, METHODS.md), which
`item_rating_sums` aggregates from the answers in one SQL statement."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Trunc
from django.utils import timezone

from manyi.accounts import access
from manyi.metrics.csi import PairSums, Questionnaire
from manyi.surveys.choices import AnswerRole, MatrixMeasure, QuestionType, ResponseStatus
from manyi.surveys.models import Answer, Dimension, Question, QuestionItem, Response, Survey

from . import counts
from .models import CUT_FIELDS, AnswerCount, ResponseCount

PERIODS = ("week", "month", "quarter", "year")
GROUPS = ("survey", "item", "segment", "region", "team", "channel", "product", "staff", *PERIODS)


@dataclass(frozen=True)
class Filters:
    """A cut of the data; every field narrows it, empty ones don't. `team_ids` is the access
    scope, set by `for_user`, never from the request."""

    survey_ids: tuple[int, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    segment_id: int | None = None
    region: str = ""
    team_id: int | None = None
    channel: str = ""
    product_id: int | None = None
    staff_id: int | None = None
    team_ids: tuple[int, ...] | None = None  # None: every team (and no team)

    def for_user(self, user) -> Filters:
        scope = access.read_scope(user)
        if scope.everything:
            return replace(self, team_ids=None)
        return replace(self, team_ids=tuple(sorted(scope.team_ids)))

    def q(self) -> Q:
        q = Q()
        if self.survey_ids:
            q &= Q(survey_id__in=self.survey_ids)
        if self.since:
            q &= Q(day__gte=self.since)
        if self.until:
            q &= Q(day__lte=self.until)
        if self.segment_id:
            q &= Q(segment_id=self.segment_id)
        if self.region:
            q &= Q(region=self.region)
        if self.team_id:
            q &= Q(team_id=self.team_id)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.product_id:
            q &= Q(product_id=self.product_id)
        if self.staff_id:
            q &= Q(staff_id=self.staff_id)
        if self.team_ids is not None:
            q &= Q(team_id__in=self.team_ids)
        return q

    def keeps(self, row: dict) -> bool:
        """The same test as `q()`, for live rows not yet in the tables."""
        return (
            (not self.survey_ids or row["survey_id"] in self.survey_ids)
            and (self.since is None or row["day"] >= self.since)
            and (self.until is None or row["day"] <= self.until)
            and (not self.segment_id or row["segment_id"] == self.segment_id)
            and (not self.region or row["region"] == self.region)
            and (not self.team_id or row["team_id"] == self.team_id)
            and (not self.channel or row["channel"] == self.channel)
            and (not self.product_id or row["product_id"] == self.product_id)
            and (not self.staff_id or row["staff_id"] == self.staff_id)
            and (self.team_ids is None or row["team_id"] in self.team_ids)
        )


# Filters field -> the annotation `counts.cut_annotations` gives a response.
_RESPONSE_CUTS = {
    "segment_id": "cut_segment",
    "region": "cut_region",
    "team_id": "cut_team",
    "channel": "cut_channel",
    "product_id": "cut_product",
    "staff_id": "cut_staff",
}


def local_midnight(day: dt.date) -> dt.datetime | None:
    """The instant a local calendar day begins (settings.TIME_ZONE); None at the ends of the
    calendar (year 1, 9999-12-31 + 1), where no bound is needed."""
    try:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    except (OverflowError, ValueError):
        return None


def valid_responses(filters: Filters):
    """Valid submitted responses in the cut, selected exactly as the count tables count them;
    for the analyses that need answers rather than counts (derived importance, loyalty)."""
    responses = Response.objects.filter(status=ResponseStatus.SUBMITTED, is_valid=True)
    responses = responses.annotate(**counts.cut_annotations())
    q = Q()
    if filters.survey_ids:
        q &= Q(survey_id__in=filters.survey_ids)
    # The period's local days as a range of instants, so that an index on the submission time
    # serves it (a filter on the time-zone-truncated date cannot use one).
    if filters.since and (start := local_midnight(filters.since)):
        q &= Q(submitted_at__gte=start)
    last = filters.until
    if last and last < dt.date.max and (end := local_midnight(last + dt.timedelta(days=1))):
        q &= Q(submitted_at__lt=end)
    for name, annotation in _RESPONSE_CUTS.items():
        if value := getattr(filters, name):
            q &= Q(**{annotation: value})
    if filters.team_ids is not None:
        q &= Q(cut_team__in=filters.team_ids)
    return responses.filter(q)


def period_starts(since: dt.date | None, until: dt.date | None, period: str) -> list[dt.date]:
    """The first day of every `period` from the one holding `since` to the one holding
    `until` (none without both ends)."""
    if not (since and until) or since > until:
        return []
    starts, current = [], period_start(since, period)
    while current <= until:
        starts.append(current)
        if period == "week":
            current += dt.timedelta(days=7)
        else:
            months = {"month": 1, "quarter": 3, "year": 12}[period]
            index = current.year * 12 + current.month - 1 + months
            current = dt.date(index // 12, index % 12 + 1, 1)
    return starts


def period_start(day: dt.date, period: str) -> dt.date:
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown period {period!r}")


_GROUP_COLUMN = {
    "survey": "survey_id",
    "item": "item",
    "segment": "segment_id",
    "region": "region",
    "team": "team_id",
    "channel": "channel",
    "product": "product_id",
    "staff": "staff_id",
}


def _group_key(row: dict, group_by):
    """The row's group: one cut's value, or a tuple of values for a tuple of cuts."""
    if isinstance(group_by, tuple):
        return tuple(_group_key(row, part) for part in group_by)
    if group_by is None:
        return None
    if group_by in PERIODS:
        return period_start(row["day"], group_by)
    return row[_GROUP_COLUMN[group_by]]


@dataclass(frozen=True)
class Selector:
    """Which answers: question codes (any survey), optionally one item and role."""

    codes: tuple[str, ...]
    item: str | None = None  # None: any item; "" plain questions only
    role: str = "value"
    options: bool = False  # choice options instead of numeric values


def answer_counts(filters: Filters, selector: Selector, *, group_by=None) -> dict[object, dict]:
    """{group: {value (or option): count}} of valid answers."""
    q = filters.q() & Q(question_code__in=selector.codes, role=selector.role)
    if selector.item is not None:
        q &= Q(item=selector.item)
    q &= ~Q(option="") if selector.options else Q(option="")
    columns = ["day", "item", "survey_id", *CUT_FIELDS]
    value = "option" if selector.options else "value"
    result: dict[object, dict] = defaultdict(lambda: defaultdict(int))
    rows = AnswerCount.objects.filter(q).values(*columns, value).annotate(n=Sum("count"))
    for row in rows.order_by():
        result[_group_key(row, group_by)][row[value]] += row["n"]
    for key, n in counts.tail().answers.items():
        row = dict(zip(counts.ANSWER_KEY, key, strict=True))
        if (
            row["question_code"] in selector.codes
            and row["role"] == selector.role
            and (selector.item is None or row["item"] == selector.item)
            and bool(row["option"]) == selector.options
            and filters.keeps(row)
        ):
            result[_group_key(row, group_by)][row[value]] += n
    return {k: dict(v) for k, v in result.items()}


@dataclass(frozen=True)
class ResponseTotals:
    submitted: int = 0
    valid: int = 0


def response_totals(filters: Filters, *, group_by=None) -> dict:
    """{group: ResponseTotals}: submitted and valid responses."""
    tallies: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    columns = ["day", "survey_id", *CUT_FIELDS, "valid"]
    rows = ResponseCount.objects.filter(filters.q()).values(*columns).annotate(n=Sum("count"))
    live = (
        dict(zip(counts.RESPONSE_KEY, k, strict=True), n=n)
        for k, n in counts.tail().responses.items()
    )
    for row in [*rows.order_by(), *(r for r in live if filters.keeps(r))]:
        tally = tallies[_group_key(row, group_by)]
        tally[0] += row["n"]
        tally[1] += row["n"] if row["valid"] else 0
    return {k: ResponseTotals(*v) for k, v in tallies.items()}


@dataclass(frozen=True)
class QuestionCatalogue:
    """Which question codes carry which score, over the surveys in view (any version)."""

    csat: dict[int, tuple[str, ...]] = field(default_factory=dict)  # scale max -> codes
    nps: tuple[str, ...] = ()
    ces: tuple[str, ...] = ()
    items: tuple[str, ...] = ()  # satisfaction matrices of evaluated items
    importance: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    item_csat: dict[str, tuple[str, ...]] = field(default_factory=dict)  # item -> CSAT codes
    scales: dict[str, int] = field(default_factory=dict)  # code -> largest scale maximum


def catalogue(survey_ids: Iterable[int] = ()) -> QuestionCatalogue:
    questions = Question.objects.all()
    if survey_ids:
        questions = questions.filter(version__survey_id__in=survey_ids)
    csat: dict[int, set[str]] = defaultdict(set)
    item_csat: dict[str, set[str]] = defaultdict(set)
    sets = defaultdict(set)
    scales: dict[str, int] = {}
    rows = questions.values_list("code", "type", "scale_max", "measure", "dimension__code")
    for code, kind, scale_max, measure, dimension in rows.distinct():
        if scale_max:
            scales[code] = max(scale_max, scales.get(code, 0))
        if kind == QuestionType.CSAT and dimension:
            item_csat[dimension].add(code)
        elif kind == QuestionType.CSAT:
            csat[scale_max or 5].add(code)
        elif kind == QuestionType.MATRIX:
            sets["importance" if measure == MatrixMeasure.IMPORTANCE else "items"].add(code)
        elif kind in (QuestionType.NPS, QuestionType.CES, QuestionType.EXPECTATION):
            sets[{"nps": "nps", "ces": "ces", "expectation": "gaps"}[kind]].add(code)
    return QuestionCatalogue(
        csat={k: tuple(sorted(v)) for k, v in csat.items()},
        nps=tuple(sorted(sets["nps"])),
        ces=tuple(sorted(sets["ces"])),
        items=tuple(sorted(sets["items"])),
        importance=tuple(sorted(sets["importance"])),
        gaps=tuple(sorted(sets["gaps"])),
        item_csat={k: tuple(sorted(v)) for k, v in item_csat.items()},
        scales=scales,
    )


def surveys_in_view(user):
    return Survey.objects.visible_to(user).exclude(status="draft").order_by("-opened_at", "pk")


# ----- evaluated items: respondent-level sums for the weighted index (CSI) ----------------
#
# An item's satisfaction and the CSI's interval need each respondent's item answers, not
# only counts by value (METHODS.md, "Weighted satisfaction index"). Which answers count:
# - every rating question tied to an evaluated item: a row of a satisfaction matrix, or a
#   satisfaction (CSAT) question that names an item (the delivery rating of the post-purchase
#   template, the agent rating of the CES template);
# - once per response and item: when one response rates an item in two questions, the first
#   in question order (page, position) counts, the same rule as the version's own order;
# - scored in percent of the question's scale, so 5-, 7- and 10-point questions add up.
# The weights are those of the version answered, set in its satisfaction matrix: an item's
# weight in the first matrix of the version that lists it (METHODS.md: the item's default
# weight only pre-fills new questions). An item a version rates only in a separate question
# has no weight there: it counts for the item's satisfaction, not for that version's index;
# a version without a matrix gives no index. PairSums add up, so a rollup keyed like the
# count tables (day, survey, version, cuts, item pair) could serve them later (issue 16).


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


def _group_expression(group_by):
    """The SQL expression of an answer's group, the same keys as `answer_counts` gives."""
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
    column = _GROUP_COLUMN[group_by]
    return counts.cut_annotations("response__")[_RESPONSE_CUTS[column]]


def _group_value(value, group_by):
    if group_by is None:
        return None
    if group_by in PERIODS and isinstance(value, str):  # SQLite returns dates as text
        return dt.date.fromisoformat(value[:10])
    if group_by in PERIODS and isinstance(value, dt.datetime):
        return value.date()
    return value


def item_rating_sums(
    filters: Filters, sets: tuple[WeightSet, ...], *, group_by=None
) -> dict[object, list[Questionnaire]]:
    """{group: one Questionnaire per weight set}: for every pair of items, the respondents
    (valid responses in the cut) who rated both and the sums of their scores, aggregated in
    the database in one statement; a few rows per group and pair come back."""
    if not sets:
        return {}
    answers = _item_rating_answers().filter(response__in=valid_responses(filters).values("pk"))
    # An item rated again later in the same response: only the first rating counts. Only
    # versions that rate an item twice need the (costlier) test.
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
    set_of = Case(
        *(When(response__version_id__in=s.version_ids, then=Value(s.key)) for s in sets),
        default=Value(0),
        output_field=IntegerField(),
    )
    # n of an index: the respondents who rated at least one item it weighs
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
        Case(*weighed, default=Value(0), output_field=IntegerField()) if weighed else Value(0)
    )
    repeats = [version_id for s in sets for version_id in s.repeats]
    if repeats:
        answers = answers.exclude(Q(response__version_id__in=repeats), Exists(earlier))
    rows = answers.annotate(
        grp=_group_expression(group_by),
        wset=set_of,
        score=Cast("number", FloatField()) * 100.0 / Cast("question__scale_max", FloatField()),
        weighed=in_index,
    ).values_list(
        "response_id", "grp", "wset", "item_id", "score", "question__scale_max", "weighed"
    )
    inner, params = rows.query.sql_with_params()
    sql = (
        f"WITH r (resp, grp, wset, item, score, scale, weighed) AS ({inner}) "
        "SELECT a.grp, a.wset, a.item, b.item, COUNT(*), SUM(a.score), SUM(b.score), "
        "SUM(a.score * b.score), MAX(a.scale) "
        "FROM r a JOIN r b ON a.resp = b.resp AND a.item <= b.item "
        "GROUP BY a.grp, a.wset, a.item, b.item "
        "UNION ALL "
        "SELECT grp, wset, NULL, NULL, COUNT(DISTINCT CASE WHEN weighed = 1 THEN resp END), "
        "NULL, NULL, NULL, NULL FROM r GROUP BY grp, wset"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    codes = {pk: code for code, pk in ids.items()}
    weights = {s.key: dict(s.weights) for s in sets}
    pairs: dict[tuple, list[PairSums]] = defaultdict(list)
    respondents: dict[tuple, int] = {}
    for group, wset, a, b, n, sum_a, sum_b, sum_ab, scale in fetched:
        key = (_group_value(group, group_by), wset)
        if a is None:
            respondents[key] = n
            continue
        floor = 100 / scale if scale else 0.0
        pairs[key].append(PairSums(codes[a], codes[b], n, sum_a, sum_b, sum_ab, floor))
    result: dict[object, list[Questionnaire]] = defaultdict(list)
    for (group, wset), n in sorted(respondents.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        result[group].append(Questionnaire(weights.get(wset, {}), tuple(pairs[(group, wset)]), n))
    return dict(result)
