"""The single source of survey numbers: counts by any cut, read from the rollups plus the
live tail in one SQL statement each, and scoped to what the user may see. Scores are computed
from these counts by `manyi.metrics`; dashboards, reports, exports and the API all call these
functions. The weighted index's respondent-level sums are read the same way, in `ratings`.
How the rollups are kept and read: `counts` and docs/adr/0005."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import (
    Q,
)
from django.utils import timezone

from manyi.accounts import access
from manyi.surveys.choices import MatrixMeasure, QuestionType, ResponseStatus
from manyi.surveys.models import Question, Response, Survey

from . import counts, sql, tail
from .cuts import CUTS, TEAM_LOOKUP, TEAM_SQL

PERIODS = ("week", "month", "quarter", "year")
GROUPS = ("survey", "item", "segment", "region", "team", "channel", "product", "staff", *PERIODS)


@dataclass(frozen=True)
class Filters:
    """A cut of the data; every field narrows it, empty ones don't. One field per cut of
    `cuts.CUTS` (its `field`), plus the period, surveys and team. `team_ids` is the access
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

    def cut_values(self) -> dict[str, object]:
        """{cut name: value} of the cuts this filter narrows."""
        return {name: v for name, cut in CUTS.items() if (v := getattr(self, cut.field))}


def local_midnight(day: dt.date) -> dt.datetime | None:
    """The instant a local calendar day begins (settings.TIME_ZONE); None at the ends of the
    calendar (year 1, 9999-12-31 + 1), where no bound is needed."""
    try:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    except (OverflowError, ValueError):
        return None


def day_instants(
    first: dt.date | None, last: dt.date | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Local days first..last as a half-open range of instants [start, end), so that an
    index on a time serves it (a filter on a truncated date cannot use one); None for an
    open end or one at the ends of the calendar."""
    start = local_midnight(first) if first else None
    end = None
    if last and last < dt.date.max:
        end = local_midnight(last + dt.timedelta(days=1))
    return start, end


def _instants(filters: Filters) -> tuple[dt.datetime | None, dt.datetime | None]:
    return day_instants(filters.since, filters.until)


def valid_responses(filters: Filters):
    """Valid submitted responses in the cut, selected exactly as the rollups count them;
    for the analyses that need answers rather than counts (derived importance, loyalty)."""
    responses = Response.objects.filter(status=ResponseStatus.SUBMITTED, is_valid=True)
    q = Q()
    if filters.survey_ids:
        q &= Q(survey_id__in=filters.survey_ids)
    start, end = _instants(filters)
    if start:
        q &= Q(submitted_at__gte=start)
    if end:
        q &= Q(submitted_at__lt=end)
    for name, value in filters.cut_values().items():
        q &= Q(**{CUTS[name].lookup: value})
    if filters.team_id:
        q &= Q(**{TEAM_LOOKUP: filters.team_id})
    if filters.team_ids is not None:
        q &= Q(**{f"{TEAM_LOOKUP}__in": filters.team_ids})
    return responses.filter(q)


def recent_sample(filters: Filters, codes: Iterable[str], limit: int):
    """The sample the answer-level analyses read: the most recent `limit` valid responses in
    the cut (by submission time, then id) to questionnaires that ask any of `codes`, as a
    subquery of their ids; and whether more were left out. Reproducible: the same data gives
    the same sample, and the index on the submission time serves it at any size."""
    asking = Question.objects.filter(code__in=list(codes)).values("version_id")
    responses = valid_responses(filters).filter(version_id__in=asking)
    ordered = responses.order_by("-submitted_at", "-pk").values("pk")
    return ordered[:limit], ordered[limit : limit + 1].exists()


def _next_month(day: dt.date) -> dt.date | None:
    """The first day of the next month; None after the calendar's last month."""
    if day.year == dt.MAXYEAR and day.month == 12:
        return None
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


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
            for _step in range({"month": 1, "quarter": 3, "year": 12}[period]):
                following = _next_month(current)
                if following is None:
                    return starts
                current = following
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


@dataclass(frozen=True)
class Selector:
    """Which answers: question codes (any survey), optionally one item and role."""

    codes: tuple[str, ...]
    item: str | None = None  # None: any item; "" plain questions only
    role: str = "value"
    options: bool = False  # choice options instead of numeric values


# ----- reading counts ---------------------------------------------------------------------
#
# A query is answered from the rollups when, apart from the team (on every row), it narrows
# or groups by at most one cut: the rollup rows of that cut (or of no cut) hold it. Whole
# months are read from month rows, the days at either end of the period from day rows.
# What was submitted after the watermark is read live from the answers, in SQL, through the
# index on the submission time, and added. A query that combines several cuts (a region
# filter on the products breakdown, say) is read from the answers alone, in SQL too.


def _rollup_cut(filters: Filters, group_by) -> str | None:
    """The cut whose rollup rows serve the query ("" for none), or None if none can."""
    needed = set(filters.cut_values())
    if group_by in CUTS:
        needed.add(group_by)
    if len(needed) > 1:
        return None
    return next(iter(needed), "")


def _days_where(
    filters: Filters, *, weekly: bool, days_from: dt.date | None, months_before: dt.date | None
) -> tuple[str, list, list[tuple[dt.date | None, dt.date]]]:
    """Rollup rows of the period: month rows for whole months before `months_before` (the
    months closed; None: any), day rows for the rest (weeks straddle months: days only).
    Day rows before `days_from` are not kept (a cut's old days): those days come back as
    ranges to read live instead."""
    lo, hi = filters.since, filters.until
    first = end = None  # whole months: from `first`, before `end` (None: unbounded)
    use_months = not weekly
    day_ranges: list[tuple[dt.date | None, dt.date | None]] = []
    if use_months:
        if lo is not None:
            first = lo if lo.day == 1 else _next_month(lo)
            use_months = first is not None  # None: the calendar's last month, no whole one
        if hi is not None:
            last_day = hi == dt.date.max or (hi + dt.timedelta(days=1)).day == 1
            end = _next_month(hi) if last_day else hi.replace(day=1)  # None: no end
        if months_before is not None and (end is None or end > months_before):
            end = months_before
        if first is not None and end is not None and first >= end:  # no whole month inside
            use_months = False
    if not use_months:
        day_ranges = [(lo, hi)]
    else:
        if first is not None and lo < first:
            day_ranges.append((lo, first - dt.timedelta(days=1)))
        if end is not None and (hi is None or end <= hi):
            day_ranges.append((end, hi))
    live: list[tuple[dt.date | None, dt.date]] = []
    if days_from is not None:
        before = days_from - dt.timedelta(days=1)
        kept = []
        for start, last in day_ranges:
            if start is None or start < days_from:
                live.append((start, before if last is None else min(last, before)))
                start = days_from
            if last is None or start <= last:
                kept.append((start, last))
        day_ranges = kept
    parts, params = [], []
    if use_months:
        months = ["grain = 'm'"]
        if first is not None:
            months.append("day >= %s")
            params.append(first)
        if end is not None:
            months.append("day < %s")
            params.append(end)
        parts.append(f"({' AND '.join(months)})")
    for start, last in day_ranges:
        days = ["grain = 'd'"]
        if start is not None:
            days.append("day >= %s")
            params.append(start)
        if last is not None:
            days.append("day <= %s")
            params.append(last)
        parts.append(f"({' AND '.join(days)})")
    return f"({' OR '.join(parts) or '1 = 0'})", params, live


def _rollup_group(group_by) -> str:
    if group_by is None:
        return "0"
    if group_by in PERIODS:
        return sql.period_start("day", group_by)
    return {"survey": "survey_id", "item": "item", "team": "team_id"}.get(group_by, "cut_value")


def _rollup_where(filters: Filters, cut: str, group_by) -> tuple[list[str], list, list]:
    """The rollup rows of the query, and the day ranges to read live instead."""
    where, params = ["cut = %s"], [cut]
    if cut and cut in filters.cut_values():
        where.append("cut_value = %s")
        params.append(str(filters.cut_values()[cut]))
    kept_from = counts.cut_days_kept_from()
    days, day_params, live = _days_where(
        filters,
        weekly=group_by == "week",
        days_from=kept_from if cut else None,
        months_before=_next_month(kept_from) if kept_from else None,
    )
    where.append(days)
    params += day_params
    if filters.survey_ids:
        where.append(_in("survey_id", filters.survey_ids))
        params += list(filters.survey_ids)
    if filters.team_id:
        where.append("team_id = %s")
        params.append(filters.team_id)
    if filters.team_ids is not None:
        where.append(_in("team_id", filters.team_ids))
        params += list(filters.team_ids)
    return where, params, live


def _in(column: str, values) -> str:
    """`column IN (…)`, false for no values."""
    if not values:
        return "1 = 0"
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _live_group(group_by) -> tuple[str, list]:
    if group_by is None:
        return "0", []
    if group_by in PERIODS:
        day, params = sql.local_day("r.submitted_at")
        bucket = sql.period_start("{day}", group_by)  # may name the day more than once
        return bucket.replace("{day}", day), params * bucket.count("{day}")
    if group_by in CUTS:
        return sql.text(CUTS[group_by].sql), []
    return {
        "survey": "r.survey_id",
        "item": "COALESCE(d.code, '')",
        "team": f"COALESCE({TEAM_SQL}, 0)",
    }[group_by], []


def _live_where(
    filters: Filters, *, days: list | None = None, until: dt.datetime | None = None
) -> tuple[list[str], list]:
    """Submitted responses in the cut, read from the answers: all of them in the period; or,
    with `days` (ranges of local days the rollups do not hold), those of these days
    submitted up to `until` (the watermark the rollup rows were read with)."""
    where, params = ["r.status = 'submitted'"], []
    start, end = _instants(filters)
    if start is not None:
        where.append("r.submitted_at >= %s")
        params.append(start)
    if end is not None:
        where.append("r.submitted_at < %s")
        params.append(end)
    if days is not None:
        where.append("r.submitted_at <= %s")
        params.append(until)
        either = []
        for first, last in days:
            bounds = ["1 = 1"]
            start, end = day_instants(first, last)
            if start:
                bounds.append("r.submitted_at >= %s")
                params.append(start)
            if end:
                bounds.append("r.submitted_at < %s")
                params.append(end)
            either.append(f"({' AND '.join(bounds)})")
        where.append(f"({' OR '.join(either) or '1 = 0'})")
    if filters.survey_ids:
        where.append(_in("r.survey_id", filters.survey_ids))
        params += list(filters.survey_ids)
    for name, value in filters.cut_values().items():
        where.append(f"{CUTS[name].sql} = %s")
        params.append(value)
    if filters.team_id:
        where.append(f"{TEAM_SQL} = %s")
        params.append(filters.team_id)
    if filters.team_ids is not None:
        where.append(_in(f"COALESCE({TEAM_SQL}, 0)", filters.team_ids))
        params += list(filters.team_ids)
    return where, params


def _with_mark(rollup_sql: str, params: list) -> tuple[dt.datetime, list[tuple]]:
    """Run a rollup query together with the watermark, read in the same statement: the
    rollup rows hold exactly the responses submitted up to it."""
    statement = (
        f"WITH manyi_mark AS (SELECT {counts.WATERMARK_SQL} AS mark) "
        f"SELECT m.mark, x.* FROM manyi_mark m LEFT JOIN ({rollup_sql}) x ON 1 = 1"
    )
    rows = _fetch(statement, [*counts.watermark_params(), *params])
    mark = rows[0][0]
    if isinstance(mark, str):  # SQLite: UTC text
        mark = dt.datetime.fromisoformat(mark)
    if timezone.is_naive(mark):
        mark = mark.replace(tzinfo=dt.UTC)
    return mark, [row[1:] for row in rows if row[-1] is not None]


def _tail_cuts(filters: Filters, group_by) -> tuple[str, ...]:
    """The cuts whose values the tail rows must carry for this query."""
    needed = set(filters.cut_values())
    if group_by in CUTS:
        needed.add(group_by)
    return tuple(sorted(needed))


def _tail_match(filters: Filters, cuts: tuple[str, ...]):
    """A test of a tail row's (day, survey, team, cut values) against the filters."""
    since, until = filters.since, filters.until
    surveys = set(filters.survey_ids)
    wanted = [
        (i, CUTS[name].parse, value)
        for i, name in enumerate(cuts)
        if (value := filters.cut_values().get(name))
    ]
    teams = None if filters.team_ids is None else set(filters.team_ids)

    def keeps(day, survey, team, values) -> bool:
        return (
            (since is None or day >= since)
            and (until is None or day <= until)
            and (not surveys or survey in surveys)
            and (not filters.team_id or team == filters.team_id)
            and (teams is None or team in teams)
            and all(parse(values[i] or "") == value for i, parse, value in wanted)
        )

    return keeps


def _tail_group(group_by, cuts: tuple[str, ...]):
    """The group of a tail row, the same keys as the rollups give."""
    if group_by is None:
        return lambda day, survey, team, values, item: None
    if group_by in PERIODS:
        return lambda day, survey, team, values, item: period_start(day, group_by)
    if group_by == "survey":
        return lambda day, survey, team, values, item: survey
    if group_by == "team":
        return lambda day, survey, team, values, item: team
    if group_by == "item":
        return lambda day, survey, team, values, item: item
    i, parse = cuts.index(group_by), CUTS[group_by].parse
    return lambda day, survey, team, values, item: parse(values[i] or "")


def _group_key(value, group_by):
    """A group's key from the database: dates for periods, ids as ints, "none" as 0 / ""."""
    if group_by is None:
        return None
    if group_by in PERIODS:
        if isinstance(value, str):  # SQLite gives dates as text
            return dt.date.fromisoformat(value[:10])
        return value.date() if isinstance(value, dt.datetime) else value
    if group_by in CUTS:
        return CUTS[group_by].parse(value or "")
    if group_by in ("survey", "team"):
        return int(value or 0)
    return value


def _by(group: str, value: str) -> str:
    """The GROUP BY list: the group (unless it is the constant of no grouping) and value."""
    return value if group == "0" else f"{group}, {value}"


def _fetch(statement: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, sql.adapt(params))
        return cursor.fetchall()


def _answer_rows(filters: Filters, selector: Selector, group_by) -> list[tuple]:
    """(group key, value or option, n) rows: from the rollups, the days they do not hold and
    the live tail; or, for a query that combines cuts, from the answers alone."""
    codes = tuple(selector.codes)
    if not codes:
        return []
    cut = _rollup_cut(filters, group_by)
    if cut is None:
        rows = _live_answer_rows(filters, selector, group_by, days=None, until=None)
        return [(_group_key(g, group_by), v, n) for g, v, n in rows]
    where, params, live_days = _rollup_where(filters, cut, group_by)
    where += [_in("question_code", codes), "role = %s"]
    params += [*codes, selector.role]
    if selector.item is not None:
        where.append("item = %s")
        params.append(selector.item)
    where.append("option <> ''" if selector.options else "option = ''")
    value = "option" if selector.options else "value"
    group = _rollup_group(group_by)
    mark, rows = _with_mark(
        f"SELECT {group} AS g, {value} AS v, SUM(count) AS n FROM {counts.ANSWER_ROLLUP} "
        f"WHERE {' AND '.join(where)} GROUP BY {_by(group, value)}",
        params,
    )
    if live_days:
        rows += _live_answer_rows(filters, selector, group_by, days=live_days, until=mark)
    result = [(_group_key(g, group_by), v, n) for g, v, n in rows]
    cuts = _tail_cuts(filters, group_by)
    keeps, group_of = _tail_match(filters, cuts), _tail_group(group_by, cuts)
    by_question = tail.answers(mark, cuts)
    for code in codes:
        for day, survey, team, values, item, number, option, n in by_question.get(
            (code, selector.role), ()
        ):
            if selector.item is not None and item != selector.item:
                continue
            if bool(option) != selector.options or not keeps(day, survey, team, values):
                continue
            result.append((group_of(day, survey, team, values, item), option or number, n))
    return result


def _live_answer_rows(filters, selector, group_by, *, days, until) -> list[tuple]:
    """(group, value or option, n) from the answers: the responses first (a few thousand on
    the days asked, through the index on the submission time), then their answers by
    response (kept apart by MATERIALIZED: the planner may otherwise scan every answer)."""
    live, live_params = _live_where(filters, days=days, until=until)
    live.append("r.is_valid")
    group, group_params = ("0", []) if group_by == "item" else _live_group(group_by)
    outer_group = "COALESCE(d.code, '')" if group_by == "item" else "t.g"
    where, where_params = (
        [_in("q.code", selector.codes), "a.role = %s"],
        [
            *selector.codes,
            selector.role,
        ],
    )
    if selector.item is not None:
        where.append("COALESCE(d.code, '') = %s")
        where_params.append(selector.item)
    source = (
        f"manyi_live t {sql.answers_of('t', counts.ANSWERS)} "
        f"JOIN {counts.QUESTIONS} q ON q.id = a.question_id "
        f"LEFT JOIN {counts.DIMENSIONS} d ON d.id = a.dimension_id"
    )
    if selector.options:
        join, option = sql.options_join("a.choices")
        source, value = f"{source} {join}", f"SUBSTR({option}, 1, 100)"
        where.append("a.number IS NULL")
    else:
        value = "a.number"
        where.append("a.number IS NOT NULL")
    statement = (
        f"WITH manyi_live AS {sql.MATERIALIZED} (SELECT r.id AS id, {group} AS g "
        f"FROM {counts.response_from()} WHERE {' AND '.join(live)}) "
        f"SELECT {outer_group}, {value}, COUNT(*) FROM {source} "
        f"WHERE {' AND '.join(where)} GROUP BY {_by(outer_group, value)}"
    )
    return _fetch(statement, [*group_params, *live_params, *where_params])


def answer_counts(filters: Filters, selector: Selector, *, group_by=None) -> dict[object, dict]:
    """{group: {value (or option): count}} of valid answers."""
    result: dict[object, dict] = defaultdict(lambda: defaultdict(int))
    for group, value, n in _answer_rows(filters, selector, group_by):
        key = value if selector.options else int(value)
        result[group][key] += int(n)
    return {k: dict(v) for k, v in result.items()}


@dataclass(frozen=True)
class ResponseTotals:
    submitted: int = 0
    valid: int = 0


def response_totals(filters: Filters, *, group_by=None) -> dict:
    """{group: ResponseTotals}: submitted and valid responses."""
    if group_by == "item":
        raise ValueError("responses have no evaluated item to group by")
    cut = _rollup_cut(filters, group_by)
    rows: list[tuple] = []
    if cut is None:
        rows = [(_group_key(g, group_by), v, n) for g, v, n in _live_response_rows(
            filters, group_by, days=None, until=None)]  # fmt: skip
    else:
        where, params, live_days = _rollup_where(filters, cut, group_by)
        group = _rollup_group(group_by)
        mark, fetched = _with_mark(
            f"SELECT {group} AS g, valid AS v, SUM(count) AS n FROM {counts.RESPONSE_ROLLUP} "
            f"WHERE {' AND '.join(where)} GROUP BY {_by(group, 'valid')}",
            params,
        )
        if live_days:
            fetched += _live_response_rows(filters, group_by, days=live_days, until=mark)
        rows = [(_group_key(g, group_by), v, n) for g, v, n in fetched]
        cuts = _tail_cuts(filters, group_by)
        keeps, group_of = _tail_match(filters, cuts), _tail_group(group_by, cuts)
        for day, survey, team, values, valid, n in tail.responses(mark, cuts):
            if keeps(day, survey, team, values):
                rows.append((group_of(day, survey, team, values, ""), valid, n))
    tallies: dict[object, list[int]] = defaultdict(lambda: [0, 0])
    for group, is_valid, n in rows:
        tally = tallies[group]
        tally[0] += int(n)
        tally[1] += int(n) if is_valid else 0
    return {k: ResponseTotals(*v) for k, v in tallies.items()}


def _live_response_rows(filters: Filters, group_by, *, days, until) -> list[tuple]:
    group, group_params = _live_group(group_by)
    where, where_params = _live_where(filters, days=days, until=until)
    valid = "(r.is_valid IS TRUE)"
    return _fetch(
        f"SELECT {group}, {valid}, COUNT(*) FROM {counts.response_from()} "
        f"WHERE {' AND '.join(where)} GROUP BY {_by(group, valid)}",
        [*group_params, *where_params, *group_params],
    )


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
