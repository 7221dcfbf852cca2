"""The single source of survey numbers: counts by any cut, read from the count tables plus the
live tail, and scoped to what the user may see. Scores are computed from these counts by
`manyi.metrics`; dashboards, reports, exports and the API all call these functions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Q, Sum

from manyi.accounts import access
from manyi.surveys.choices import MatrixMeasure, QuestionType, ResponseStatus
from manyi.surveys.models import Question, Response, Survey

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


def valid_responses(filters: Filters):
    """Valid submitted responses in the cut, selected exactly as the count tables count them;
    for the analyses that need answers rather than counts (derived importance, loyalty)."""
    responses = Response.objects.filter(status=ResponseStatus.SUBMITTED, is_valid=True)
    responses = responses.annotate(day=counts.local_day(), **counts.cut_annotations())
    q = Q()
    if filters.survey_ids:
        q &= Q(survey_id__in=filters.survey_ids)
    if filters.since:
        q &= Q(day__gte=filters.since)
    if filters.until:
        q &= Q(day__lte=filters.until)
    for name, annotation in _RESPONSE_CUTS.items():
        if value := getattr(filters, name):
            q &= Q(**{annotation: value})
    if filters.team_ids is not None:
        q &= Q(cut_team__in=filters.team_ids)
    return responses.filter(q)


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


def catalogue(survey_ids: Iterable[int] = ()) -> QuestionCatalogue:
    questions = Question.objects.all()
    if survey_ids:
        questions = questions.filter(version__survey_id__in=survey_ids)
    csat: dict[int, set[str]] = defaultdict(set)
    item_csat: dict[str, set[str]] = defaultdict(set)
    sets = defaultdict(set)
    rows = questions.values_list("code", "type", "scale_max", "measure", "dimension__code")
    for code, kind, scale_max, measure, dimension in rows.distinct():
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
    )


def surveys_in_view(user):
    return Survey.objects.visible_to(user).exclude(status="draft").order_by("-opened_at", "pk")
