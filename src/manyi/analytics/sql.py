"""The few SQL expressions that differ between PostgreSQL and SQLite, for the rollups and the
live reads of answers. Everything else the count layer writes is plain SQL both accept."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection

# A common table expression computed once and kept apart from the rest of the statement
# (PostgreSQL 12+, SQLite 3.35+).
MATERIALIZED = "MATERIALIZED"


def postgres() -> bool:
    return connection.vendor == "postgresql"


def answers_of(responses: str, answers_table: str) -> str:
    """A join from the rows of `responses` (a table or CTE with `id`) to their answers (as
    `a`), looked up by response through its index. PostgreSQL's planner would rather scan
    every answer when it expects thousands of responses; a LATERAL subquery behind an
    OFFSET 0 fence keeps the lookup per response (SQLite joins that way anyway)."""
    if postgres():
        return (
            f"CROSS JOIN LATERAL (SELECT * FROM {answers_table} a0 "
            f"WHERE a0.response_id = {responses}.id OFFSET 0) AS a"
        )
    return f"JOIN {answers_table} a ON a.response_id = {responses}.id"


def local_day(column: str) -> tuple[str, list]:
    """The local calendar day (settings.TIME_ZONE) of a timestamp column, and its params."""
    if postgres():
        return f"CAST(({column} AT TIME ZONE %s) AS date)", [settings.TIME_ZONE]
    # Django registers this function on its SQLite connections (aware datetimes are UTC).
    return f"django_datetime_cast_date({column}, %s, 'UTC')", [settings.TIME_ZONE]


def period_start(column: str, period: str) -> str:
    """The first day of the week (Monday), month, quarter or year holding a date column."""
    if postgres():
        return f"CAST(date_trunc('{period}', {column}) AS date)"
    if period == "week":
        weekday = f"(CAST(strftime('%w', {column}) AS integer) + 6) % 7"  # Monday: 0
        return f"date({column}, '-' || ({weekday}) || ' days')"
    if period == "month":
        return f"date({column}, 'start of month')"
    if period == "quarter":
        return (
            f"date({column}, 'start of month', "
            f"'-' || ((CAST(strftime('%m', {column}) AS integer) - 1) % 3) || ' months')"
        )
    if period == "year":
        return f"date({column}, 'start of year')"
    raise ValueError(f"unknown period {period!r}")


def options_join(column: str) -> tuple[str, str]:
    """(join clause, option expression): one row per element of a JSON list column."""
    if postgres():
        return f"CROSS JOIN LATERAL jsonb_array_elements_text({column}) AS o(opt)", "o.opt"
    return f"JOIN json_each({column}) AS o", "CAST(o.value AS text)"


def text(expression: str) -> str:
    """An id or a text as text; NULL as ""."""
    return f"COALESCE(CAST({expression} AS varchar(100)), '')"


def for_bulk_work(cursor, work_mem_mb: int) -> None:
    """Settings for this transaction's fill or rebuild, PostgreSQL only: memory enough to
    group in memory rather than in files, and no JIT (compiling a plan took longer than
    running it: 0.4 s of a 1.3 s fill of 10,000 responses)."""
    if postgres():
        cursor.execute(f"SET LOCAL work_mem = '{int(work_mem_mb)}MB'")
        cursor.execute("SET LOCAL jit = off")


def adapt(params: list) -> list:
    """Dates and datetimes as each database stores them (SQLite keeps UTC text), for SQL
    written by hand; the ORM does this for its own queries."""
    ops = connection.ops
    adapted = []
    for value in params:
        if isinstance(value, dt.datetime):
            value = ops.adapt_datetimefield_value(value)
        elif isinstance(value, dt.date):
            value = ops.adapt_datefield_value(value)
        adapted.append(value)
    return adapted
