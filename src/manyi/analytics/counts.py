"""Filling the rollups, incrementally and from scratch, in SQL.

A response is immutable once submitted, so counts only ever grow: each fill counts the
responses submitted in (filled_until, until] and adds them (`INSERT … SELECT … GROUP BY …
ON CONFLICT DO UPDATE`). It stops a little short of now (LAG), so that a response whose
transaction commits late is not skipped; readers count the few responses after the watermark
live (`queries`), so dashboards are exact and still cheap.

Both fill and rebuild go the same way: the window's valid answers are grouped once into a
temporary table by day, survey, team and every cut's value together, then that table is
summed into each cut's rows (`cuts.CUTS`, plus "" for no cut).

Which rows exist, with M the first day of the watermark's month (`months_from`):
- day rows without a cut, for every day;
- day rows of every cut from the month before M on (`cut_days_from`);
- month rows of every cut for the months before M only. The fill writes day rows; a month
  gets its month rows once it is over (`_close_months`, from its day rows). Readers take
  whole months before M from month rows and the rest from day rows (`queries._days_where`).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.utils import timezone

from manyi.customers.models import Customer
from manyi.surveys.models import Answer, Dimension, Question, Response

from . import sql
from .cuts import CUTS, TEAM_SQL
from .models import AnswerRollup, FillState, Grain, PairRollup, ResponseRollup

STATE = "responses"
LAG = dt.timedelta(minutes=5)
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
REBUILD_WORK_MEM_MB = 256
FILL_WORK_MEM_MB = 64

ANSWERS = Answer._meta.db_table
RESPONSES = Response._meta.db_table
QUESTIONS = Question._meta.db_table
DIMENSIONS = Dimension._meta.db_table
CUSTOMERS = Customer._meta.db_table
ANSWER_ROLLUP = AnswerRollup._meta.db_table
RESPONSE_ROLLUP = ResponseRollup._meta.db_table
PAIR_ROLLUP = PairRollup._meta.db_table


def response_from() -> str:
    """Submitted responses (`r`) with their customer (`c`, if any)."""
    return f"{RESPONSES} r LEFT JOIN {CUSTOMERS} c ON c.id = r.customer_id"


def window(since: dt.datetime | None, until: dt.datetime | None) -> tuple[str, list]:
    """Submitted responses in (since, until]; an end that is None is open."""
    where, params = ["r.status = 'submitted'"], []
    if since is not None:
        where.append("r.submitted_at > %s")
        params.append(since)
    if until is not None:
        where.append("r.submitted_at <= %s")
        params.append(until)
    return " AND ".join(where), params


def _cut_columns(cuts=None) -> list[tuple[str, str]]:
    """(column of the grouped rows, SQL of the value as text) of the cuts named (all)."""
    names = CUTS if cuts is None else cuts
    return [(f"cut_{name}", sql.text(CUTS[name].sql)) for name in names]


def answers_grouped(where: str, params: list, cuts=None) -> tuple[str, list]:
    """SQL of the valid answers of the responses matching `where`, grouped by day, survey,
    team, the cuts' values (all cuts, or those named), question, item, role, value and
    option, with their count `n`. The responses are selected first (through the index on
    the submission time), then their answers by response (see `sql.answers_of`)."""
    day, day_params = sql.local_day("r.submitted_at")
    cut_columns = _cut_columns(cuts)
    cut_names = [name for name, _expression in cut_columns]
    keys = ", ".join(f"w.{c}" for c in ["day", "survey_id", "team_id", *cut_names])
    names = ", ".join(
        ["day", "survey_id", "team_id", *cut_names, "question_code", "item", "role", "value",
         "option"]
    )  # fmt: skip
    answers = (
        f"w {sql.answers_of('w', ANSWERS)} JOIN {QUESTIONS} q ON q.id = a.question_id "
        f"LEFT JOIN {DIMENSIONS} d ON d.id = a.dimension_id"
    )
    join, option = sql.options_join("a.choices")
    common = "q.code AS question_code, COALESCE(d.code, '') AS item, a.role AS role"
    statement = (
        f"WITH w AS {sql.MATERIALIZED} (SELECT r.id AS id, {day} AS day, "
        f"r.survey_id AS survey_id, COALESCE({TEAM_SQL}, 0) AS team_id, "
        + "".join(f"{expression} AS {name}, " for name, expression in cut_columns)
        + f"1 AS one FROM {response_from()} WHERE {where} AND r.is_valid) "
        f"SELECT {names}, COUNT(*) AS n FROM ("
        f" SELECT {keys}, {common}, a.number AS value, '' AS option FROM {answers}"
        f" WHERE a.number IS NOT NULL"
        f" UNION ALL"
        f" SELECT {keys}, {common}, 0 AS value, SUBSTR({option}, 1, 100) AS option"
        f" FROM {answers} {join} WHERE a.number IS NULL"
        f") AS x GROUP BY {names}"
    )
    return statement, [*day_params, *params]


def responses_grouped(where: str, params: list, cuts=None) -> tuple[str, list]:
    """SQL of the submitted responses matching `where` by day, survey, team, the cuts'
    values and validity, with their count `n`."""
    day, day_params = sql.local_day("r.submitted_at")
    cut_columns = _cut_columns(cuts)
    names = ", ".join(["day", "survey_id", "team_id", *(n for n, _e in cut_columns), "valid"])
    statement = (
        f"SELECT {names}, COUNT(*) AS n FROM ("
        f" SELECT {day} AS day, r.survey_id AS survey_id, COALESCE({TEAM_SQL}, 0) AS team_id, "
        + "".join(f"{expression} AS {name}, " for name, expression in cut_columns)
        + f"(r.is_valid IS TRUE) AS valid FROM {response_from()}"
        f" WHERE {where}) AS x GROUP BY {names}"
    )
    return statement, [*day_params, *params]


def window_answers(cursor, where: str, params: list) -> None:
    """The window's valid answers with everything the fill groups them by, into the
    temporary table `manyi_window`: the responses first, their answers per response, once
    for both the counts and the weighted index's pairs."""
    day, day_params = sql.local_day("r.submitted_at")
    cut_columns = _cut_columns()
    cursor.execute("DROP TABLE IF EXISTS manyi_window")
    cursor.execute(
        f"CREATE TEMPORARY TABLE manyi_window AS "
        f"WITH w AS {sql.MATERIALIZED} (SELECT r.id AS id, r.version_id AS version_id, "
        f"{day} AS day, r.survey_id AS survey_id, COALESCE({TEAM_SQL}, 0) AS team_id"
        + "".join(f", {expression} AS {name}" for name, expression in cut_columns)
        + f" FROM {response_from()} WHERE {where} AND r.is_valid) "
        "SELECT w.id AS resp, w.version_id AS version_id, w.day AS day, "
        "w.survey_id AS survey_id, w.team_id AS team_id"
        + "".join(f", w.{name} AS {name}" for name, _expression in cut_columns)
        + ", q.code AS question_code, COALESCE(d.code, '') AS item, a.role AS role, "
        "a.number AS number, a.choices AS choices, a.dimension_id AS dimension_id, "
        "q.dimension_id AS q_dimension_id, q.type AS q_type, q.measure AS q_measure, "
        "q.scale_max AS scale, q.page AS page, q.position AS position, q.id AS qid "
        f"FROM w {sql.answers_of('w', ANSWERS)} "
        f"JOIN {QUESTIONS} q ON q.id = a.question_id "
        f"LEFT JOIN {DIMENSIONS} d ON d.id = a.dimension_id",
        sql.adapt([*day_params, *params]),
    )


def _group_answers(cursor, table: str) -> None:
    """The window table's answers grouped by every key at once, into `manyi_answers`."""
    cuts = [name for name, _expression in _cut_columns()]
    names = ", ".join(
        ["day", "survey_id", "team_id", *cuts, "question_code", "item", "role", "value",
         "option"]
    )  # fmt: skip
    keys = ", ".join(["day", "survey_id", "team_id", *cuts, "question_code", "item", "role"])
    join, option = sql.options_join("x.choices")
    cursor.execute("DROP TABLE IF EXISTS manyi_answers")
    cursor.execute(
        f"CREATE TEMPORARY TABLE manyi_answers AS SELECT {names}, COUNT(*) AS n FROM ("
        f" SELECT {keys}, number AS value, '' AS option FROM {table} x"
        f" WHERE number IS NOT NULL"
        f" UNION ALL"
        f" SELECT {', '.join('x.' + k for k in keys.split(', '))}, 0 AS value,"
        f" SUBSTR({option}, 1, 100) AS option FROM {table} x {join} WHERE x.number IS NULL"
        f") AS y GROUP BY {names}"
    )


def _group_responses(cursor, where: str, params: list) -> None:
    statement, params = responses_grouped(where, params)
    cursor.execute("DROP TABLE IF EXISTS manyi_responses")
    cursor.execute(f"CREATE TEMPORARY TABLE manyi_responses AS {statement}", sql.adapt(params))


ANSWER_KEY = ["cut", "grain", "question_code", "day", "survey_id", "team_id", "cut_value",
              "item", "role", "value", "option"]  # fmt: skip
RESPONSE_KEY = ["cut", "grain", "day", "survey_id", "team_id", "cut_value", "valid"]
PAIR_KEY = ["cut", "grain", "day", "survey_id", "version_id", "team_id", "cut_value",
            "item_a", "scale_a", "item_b", "scale_b"]  # fmt: skip
KEYS = {ANSWER_ROLLUP: ANSWER_KEY, RESPONSE_ROLLUP: RESPONSE_KEY, PAIR_ROLLUP: PAIR_KEY}
SUMS = {
    ANSWER_ROLLUP: ("count",),
    RESPONSE_ROLLUP: ("count",),
    PAIR_ROLLUP: ("n", "sum_a", "sum_b", "sum_ab"),
}
CONSTRAINTS = {
    ANSWER_ROLLUP: "answer_rollup_key",
    RESPONSE_ROLLUP: "response_rollup_key",
    PAIR_ROLLUP: "pair_rollup_key",
}
ROLLUPS = tuple(KEYS)


def _sum_into(
    cursor,
    rollup: str,
    source: str,
    keys: list[str],
    *,
    cut_days_from: dt.date | None,
    months_before: dt.date | None,
    upsert=True,
    sums=None,
) -> None:
    """Sum the grouped table into the rollup's rows: day rows without a cut, day rows of
    every cut from `cut_days_from` on (None: every day), and month rows of the months
    before `months_before` (None: no month rows). `sums` maps the rollup's summed columns
    to the grouped table's ({"count": "n"} by default). `upsert` adds to existing rows; a
    rebuild, which writes each key once, inserts plainly."""
    sums = sums or {"count": "n"}
    quote = connection.ops.quote_name
    target = ", ".join(quote(c) for c in ["grain", "day", "survey_id", "team_id", "cut",
                                          "cut_value", *keys, *sums])  # fmt: skip
    rest = ", ".join(quote(k) for k in keys)
    summed = ", ".join(f"SUM({column})" for column in sums.values())
    conflict = ""
    if upsert:
        added = ", ".join(f"{quote(c)} = {rollup}.{quote(c)} + excluded.{quote(c)}" for c in sums)
        conflict = (
            f" ON CONFLICT ({', '.join(quote(c) for c in KEYS[rollup])}) DO UPDATE SET {added}"
        )
    month = sql.period_start("day", "month")
    for cut in ["", *CUTS]:
        value = f"cut_{cut}" if cut else "''"
        grouped = f"survey_id, team_id, {value + ', ' if cut else ''}{rest}"
        for grain, day in ((Grain.DAY, "day"), (Grain.MONTH, month)):
            where, params = "1 = 1", []
            if grain == Grain.MONTH:
                if months_before is None:
                    continue
                where, params = "day < %s", sql.adapt([months_before])
            elif cut and cut_days_from is not None:
                where, params = "day >= %s", sql.adapt([cut_days_from])
            cursor.execute(
                f"INSERT INTO {rollup} ({target}) "
                f"SELECT '{grain.value}', {day}, survey_id, team_id, '{cut}', {value}, {rest}, "
                f"{summed} FROM {source} WHERE {where} GROUP BY {day}, {grouped}{conflict}",
                params,
            )
    cursor.execute(f"DROP TABLE {source}")


def _add(
    since,
    until,
    *,
    cut_days_from: dt.date | None,
    months_before: dt.date | None,
    upsert: bool = True,
) -> None:
    """Count the responses submitted in (since, until] into the rollups (see `_sum_into`
    for which rows)."""
    where, params = window(since, until)
    with connection.cursor() as cursor:
        window_answers(cursor, where, params)
        _group_answers(cursor, "manyi_window")
        _sum_into(
            cursor,
            ANSWER_ROLLUP,
            "manyi_answers",
            ["question_code", "item", "role", "value", "option"],
            cut_days_from=cut_days_from,
            months_before=months_before,
            upsert=upsert,
        )
        _group_responses(cursor, where, params)
        _sum_into(
            cursor,
            RESPONSE_ROLLUP,
            "manyi_responses",
            ["valid"],
            cut_days_from=cut_days_from,
            months_before=months_before,
            upsert=upsert,
        )
        from . import ratings  # it reads the rollups through `queries`, which reads this

        ratings.group_ratings(cursor, "manyi_window")
        cursor.execute("DROP TABLE manyi_window")
        _sum_into(
            cursor,
            PAIR_ROLLUP,
            "manyi_pairs",
            ["version_id", "item_a", "scale_a", "item_b", "scale_b"],
            cut_days_from=cut_days_from,
            months_before=months_before,
            upsert=upsert,
            sums={c: c for c in ("n", "sum_a", "sum_b", "sum_ab")},
        )


def filled_until() -> dt.datetime:
    state = FillState.objects.filter(name=STATE).first()
    return state.filled_until if state else EPOCH


def months_from(until: dt.datetime) -> dt.date:
    """The first day of the (local) month holding `until`: the rollups hold month rows of
    the months before it, closed, and only day rows from it on."""
    return timezone.localtime(until).date().replace(day=1)


def cut_days_from(until: dt.datetime) -> dt.date:
    """The first day of the month before the one holding `until` (local): the cuts' day
    rows are kept from it on (month rows hold the days before)."""
    return (months_from(until) - dt.timedelta(days=1)).replace(day=1)


def _close_months(since: dt.date, before: dt.date) -> None:
    """Month rows of the months in [since, before), summed from their day rows, which hold
    every cut from `since` on. Month rows there that an earlier version wrote while the month
    was open are replaced."""
    month = sql.period_start("day", "month")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for rollup, keys in KEYS.items():
            rest = [k for k in keys if k not in ("grain", "day")]
            columns = ", ".join(quote(c) for c in rest)
            sums = SUMS[rollup]
            summed = ", ".join(f"SUM({quote(c)})" for c in sums)
            params = sql.adapt([since, before])
            cursor.execute(
                f"DELETE FROM {rollup} WHERE grain = 'm' AND day >= %s AND day < %s", params
            )
            cursor.execute(
                f"INSERT INTO {rollup} ({quote('grain')}, {quote('day')}, {columns}, "
                f"{', '.join(quote(c) for c in sums)}) "
                f"SELECT 'm', {month}, {columns}, {summed} FROM {rollup} "
                f"WHERE grain = 'd' AND day >= %s AND day < %s GROUP BY {month}, {columns}",
                params,
            )


def _drop_old_cut_days(state: FillState, horizon: dt.date) -> None:
    """Forget the cuts' day rows before the new horizon: month rows hold them."""
    if state.cut_days_from is not None and state.cut_days_from >= horizon:
        return
    with connection.cursor() as cursor:
        for rollup in ROLLUPS:
            cursor.execute(
                f"DELETE FROM {rollup} WHERE cut <> '' AND grain = 'd' AND day < %s",
                sql.adapt([horizon]),
            )
    state.cut_days_from = horizon


@transaction.atomic
def fill(now: dt.datetime | None = None) -> dt.datetime:
    """Add responses submitted since the last fill, up to now − LAG. Safe to run twice and
    concurrently: the state row is locked, and a second run finds nothing new."""
    until = (now or timezone.now()) - LAG
    state, _created = FillState.objects.select_for_update().get_or_create(
        name=STATE, defaults={"filled_until": EPOCH}
    )
    if until <= state.filled_until:
        return state.filled_until
    horizon, months = cut_days_from(until), months_from(until)
    with connection.cursor() as cursor:
        sql.for_bulk_work(cursor, FILL_WORK_MEM_MB)
    if state.filled_until == EPOCH:
        # The first fill (a new database, or after the upgrade that created the rollups)
        # counts the whole history, a month at a time, as a rebuild does.
        _drop_old_cut_days(state, horizon)
        for since, end in _month_windows(until):
            _add(since, end, cut_days_from=horizon, months_before=months)
    else:
        # Day rows only: the months still open have no month rows (an upsert of every
        # response into both doubled the fill's work). Months that end in the window are
        # closed from their day rows; then the cuts' days older than the horizon go.
        _add(state.filled_until, until, cut_days_from=None, months_before=None)
        open_since = months_from(state.filled_until)
        if open_since < months:
            _close_months(open_since, months)
        _drop_old_cut_days(state, horizon)
    state.filled_until = until
    state.save(update_fields=["filled_until", "cut_days_from"])
    return until


def _month_windows(until: dt.datetime):
    """(since, until] windows, one per local month, from the first submission to `until`.
    (Measured at 10M answers on PostgreSQL: one window for the whole history, with scans
    and hash joins, took 118 s, its sorts spilling; month windows with a lookup per
    response, 84 s.)"""
    first = Response.objects.filter(status="submitted").order_by("submitted_at")
    first = first.values_list("submitted_at", flat=True).first()
    if first is None or first > until:
        yield EPOCH, until
        return
    month = timezone.localtime(first).date().replace(day=1)
    since = EPOCH
    while since < until:
        month = (month + dt.timedelta(days=32)).replace(day=1)
        end = min(until, timezone.make_aware(dt.datetime.combine(month, dt.time.min)))
        yield since, end
        since = end


@transaction.atomic
def rebuild(now: dt.datetime | None = None) -> dt.datetime:
    """Recompute the rollups from every response, in SQL (`_month_windows`). On
    PostgreSQL the rollups' unique indexes are dropped while they are written and built
    again after: each key is written once, so nothing needs them meanwhile."""
    until = (now or timezone.now()) - LAG
    horizon = cut_days_from(until)
    postgres = sql.postgres()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        sql.for_bulk_work(cursor, REBUILD_WORK_MEM_MB)
        for rollup in ROLLUPS:
            if postgres:
                cursor.execute(f"TRUNCATE {rollup}")
                cursor.execute(f"ALTER TABLE {rollup} DROP CONSTRAINT {CONSTRAINTS[rollup]}")
            else:
                cursor.execute(f"DELETE FROM {rollup}")
    for since, end in _month_windows(until):
        _add(
            since,
            end,
            cut_days_from=horizon,
            months_before=months_from(until),
            upsert=not postgres,
        )
    with connection.cursor() as cursor:
        for rollup in ROLLUPS:
            if postgres:
                columns = ", ".join(quote(c) for c in KEYS[rollup])
                cursor.execute(
                    f"ALTER TABLE {rollup} ADD CONSTRAINT {CONSTRAINTS[rollup]} UNIQUE ({columns})"
                )
            cursor.execute(f"ANALYZE {rollup}")
    FillState.objects.update_or_create(
        name=STATE, defaults={"filled_until": until, "cut_days_from": horizon}
    )
    return until


# A memo for reads that several parts of one page share (see TailMemoMiddleware).
_memo: ContextVar[dict | None] = ContextVar("manyi_tail_memo", default=None)


@contextmanager
def tail_memo():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def request_memo() -> dict | None:
    """The current request's memo (see TailMemoMiddleware), or None outside a request: for
    reads that several parts of one page share, never kept across requests."""
    return _memo.get()


# How far the rollups are filled, as SQL for the readers' statements: what was submitted
# after it is counted live.
WATERMARK_SQL = (
    f"COALESCE((SELECT filled_until FROM {FillState._meta.db_table} WHERE name = %s), %s)"
)


def watermark_params() -> list:
    return [STATE, EPOCH]


def cut_days_kept_from() -> dt.date | None:
    """From which day the cuts' day rows are kept (None: no fill yet, nothing to keep)."""
    memo = _memo.get()
    if memo is not None and "cut_days_from" in memo:
        return memo["cut_days_from"]
    state = FillState.objects.filter(name=STATE).values_list("cut_days_from", flat=True)
    kept = state.first()
    if memo is not None:
        memo["cut_days_from"] = kept
    return kept
