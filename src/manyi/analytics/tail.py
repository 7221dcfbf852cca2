"""The live tail: responses submitted after the rollups' watermark, counted from the answers.

A page asks for many counts (CSAT of each scale, NPS, CES, the weighted index, now and in the
previous period, by month...). Reading the tail for each of them cost a page 0.4-2.7 s with
10,000 responses in it. So the tail is read once, grouped finely (by day, survey, team, the
cuts the query needs, and question, item, role and value; or item pairs for the weighted
index), and every count of the page is taken from those rows in Python.

The rows are kept for the request, and in the cache under the watermark and the cuts, with
a fingerprint of the responses they hold (how many, the sum of their ids and the latest
submission time). A request compares it with the tail's: the same, the rows are used; if
the responses up to that latest submission are still the same, only those submitted after
it are read and their rows added (under steady traffic a page reads the few responses since
the last read, not the whole tail); otherwise (a response whose transaction committed late)
the tail is read again. A fill moves the watermark, which makes a new key. Correctness does
not rest on the cache: the watermark is the one the rollup statement read, so rollups and
tail never overlap nor leave a gap.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.db import connection, transaction

from . import counts, sql

CACHE_SECONDS = 300
WORK_MEM_MB = 32


def _fingerprint(mark: dt.datetime, up_to=None) -> tuple:
    """(how many, sum of ids, latest submission time) of the responses submitted after
    `mark` (and up to `up_to`, if given). The time is as the database gives it, to be given
    back as a parameter unchanged."""
    where, params = counts.window(mark, None)
    if up_to is not None:
        where, params = f"{where} AND r.submitted_at <= %s", [*params, up_to]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(r.id), 0), MAX(r.submitted_at) "
            f"FROM {counts.RESPONSES} r WHERE {where}",
            sql.adapt(params),
        )
        count, total, latest = cursor.fetchone()
    return int(count), int(total), latest


def _merged(rows: list[tuple], more: list[tuple], sums: int) -> list[tuple]:
    """`rows` and `more` as one list, rows of the same key (all but the last `sums` values)
    added up."""
    totals: dict[tuple, list[int]] = {}
    for row in (*rows, *more):
        key = row[:-sums]
        if key in totals:
            totals[key] = [a + b for a, b in zip(totals[key], row[-sums:], strict=True)]
        else:
            totals[key] = list(row[-sums:])
    return [(*key, *values) for key, values in totals.items()]


def _rows(kind: str, mark: dt.datetime, cuts: tuple[str, ...], compute, sums: int):
    """The tail's rows of `kind`: `compute(where, params)` reads the rows of the responses
    matching `where`; they hold `sums` summable values at their end."""
    memo = counts.request_memo()
    key = (kind, mark, cuts)
    if memo is not None and key in memo:
        return memo[key]
    fingerprint_key = ("fingerprint", mark)
    fingerprint = memo.get(fingerprint_key) if memo is not None else None
    if fingerprint is None:
        fingerprint = _fingerprint(mark)
        if memo is not None:
            memo[fingerprint_key] = fingerprint
    if fingerprint[0] == 0:
        rows = []
    else:
        name = f"{kind}|{mark.isoformat()}|{','.join(cuts)}|{connection.vendor}"
        cache_key = "manyi:tail:" + hashlib.sha256(name.encode()).hexdigest()
        cached = cache.get(cache_key)
        if cached is not None and cached[0] == fingerprint:
            rows = cached[1]
        else:
            with transaction.atomic():  # for SET LOCAL: no JIT, sorts and hashes in memory
                with connection.cursor() as cursor:
                    sql.for_bulk_work(cursor, WORK_MEM_MB)
                # Up to the latest submission the fingerprint saw: the rows hold what it
                # describes (a response committing meanwhile waits for the next read).
                where, params = counts.window(mark, None)
                where, params = f"{where} AND r.submitted_at <= %s", [*params, fingerprint[2]]
                if cached is not None and _fingerprint(mark, cached[0][2]) == cached[0]:
                    # Nothing new up to the cached rows' latest submission: add what came after.
                    where, params = f"{where} AND r.submitted_at > %s", [*params, cached[0][2]]
                    rows = _merged(cached[1], compute(where, params), sums)
                else:
                    rows = compute(where, params)
            cache.set(cache_key, (fingerprint, rows), CACHE_SECONDS)
    if memo is not None:
        memo[key] = rows
    return rows


def _day(value) -> dt.date:
    if isinstance(value, str):  # SQLite gives dates as text
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def answers(mark: dt.datetime, cuts: tuple[str, ...]) -> dict[tuple[str, str], list[tuple]]:
    """{(question code, role): [(day, survey, team, (cut values...), item, value, option,
    n)]} of the valid answers submitted after `mark`."""

    def compute(where: str, params: list) -> list[tuple]:
        statement, params = counts.answers_grouped(where, params, cuts)
        with connection.cursor() as cursor:
            cursor.execute(statement, sql.adapt(params))
            fetched = cursor.fetchall()
        width = len(cuts)
        return [
            (row[3 + width], row[5 + width], _day(row[0]), int(row[1]), int(row[2]),
             tuple(row[3 : 3 + width]), row[4 + width], int(row[6 + width]), row[7 + width],
             int(row[8 + width]))
            for row in fetched
        ]  # fmt: skip

    result: dict[tuple[str, str], list[tuple]] = {}
    for code, role, *rest in _rows("answers", mark, cuts, compute, sums=1):
        result.setdefault((code, role), []).append(tuple(rest))
    return result


def responses(mark: dt.datetime, cuts: tuple[str, ...]) -> list[tuple]:
    """[(day, survey, team, (cut values...), valid, n)] of the responses after `mark`."""

    def compute(where: str, params: list) -> list[tuple]:
        statement, params = counts.responses_grouped(where, params, cuts)
        with connection.cursor() as cursor:
            cursor.execute(statement, sql.adapt(params))
            fetched = cursor.fetchall()
        width = len(cuts)
        return [
            (_day(r[0]), int(r[1]), int(r[2]), tuple(r[3 : 3 + width]), bool(r[3 + width]),
             int(r[4 + width]))
            for r in fetched
        ]  # fmt: skip

    return _rows("responses", mark, cuts, compute, sums=1)


def pairs(mark: dt.datetime, cuts: tuple[str, ...]) -> list[tuple]:
    """[(day, survey, version, team, (cut values...), item a, scale a, item b, scale b, n,
    Σa, Σb, Σab)] of the ratings of the valid responses after `mark` (items 0: respondents)."""

    def compute(where: str, params: list) -> list[tuple]:
        from . import ratings

        statement, params = ratings.pairs_grouped(where, params, cuts)
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            fetched = cursor.fetchall()
        width = len(cuts)
        return [
            (_day(r[0]), int(r[1]), int(r[2]), int(r[3]), tuple(r[4 : 4 + width]),
             *(int(v or 0) for v in r[4 + width :]))
            for r in fetched
        ]  # fmt: skip

    return _rows("pairs", mark, cuts, compute, sums=4)
