"""The live tail: responses submitted after the rollups' watermark, counted from the answers.

A page asks for many counts (CSAT of each scale, NPS, CES, the weighted index, now and in the
previous period, by month...). Reading the tail for each of them cost a page 0.4-2.7 s with
10,000 responses in it. So the tail is read once, grouped finely (by day, survey, team, the
cuts the query needs, and question, item, role and value; or item pairs for the weighted
index), and every count of the page is taken from those rows in Python.

The rows are kept for the request, and in the cache for as long as the tail is the same: the
key holds the watermark and a fingerprint of the tail's responses (how many, the largest
and the sum of their ids), so a new response, or a fill that moves the watermark, makes a
new key. Correctness does not rest on the cache: the watermark is the one the rollup
statement read, so rollups and tail never overlap nor leave a gap.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.db import connection, transaction

from . import counts, sql

CACHE_SECONDS = 300
WORK_MEM_MB = 32


def _fingerprint(mark: dt.datetime) -> tuple[int, int, int]:
    """(how many, largest id, sum of ids) of the responses submitted after `mark`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(id), 0) FROM {counts.RESPONSES} "
            "WHERE status = 'submitted' AND submitted_at > %s",
            sql.adapt([mark]),
        )
        count, largest, total = cursor.fetchone()
    return int(count), int(largest), int(total)


def _rows(kind: str, mark: dt.datetime, cuts: tuple[str, ...], compute):
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
        rows = compute(empty=True)
    else:
        name = f"{kind}|{mark.isoformat()}|{','.join(cuts)}|{fingerprint}|{connection.vendor}"
        cache_key = "manyi:tail:" + hashlib.sha256(name.encode()).hexdigest()
        rows = cache.get(cache_key)
        if rows is None:
            with transaction.atomic():  # for SET LOCAL: no JIT, sorts and hashes in memory
                with connection.cursor() as cursor:
                    sql.for_bulk_work(cursor, WORK_MEM_MB)
                rows = compute(empty=False)
            cache.set(cache_key, rows, CACHE_SECONDS)
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

    def compute(empty: bool):
        if empty:
            return {}
        where, params = counts.window(mark, None)
        statement, params = counts.answers_grouped(where, params, cuts)
        with connection.cursor() as cursor:
            cursor.execute(statement, sql.adapt(params))
            fetched = cursor.fetchall()
        width = len(cuts)
        result: dict[tuple[str, str], list[tuple]] = {}
        for row in fetched:
            day, survey, team = _day(row[0]), int(row[1]), int(row[2])
            values = tuple(row[3 : 3 + width])
            code, item, role, value, option, n = row[3 + width :]
            result.setdefault((code, role), []).append(
                (day, survey, team, values, item, int(value), option, int(n))
            )
        return result

    return _rows("answers", mark, cuts, compute)


def responses(mark: dt.datetime, cuts: tuple[str, ...]) -> list[tuple]:
    """[(day, survey, team, (cut values...), valid, n)] of the responses after `mark`."""

    def compute(empty: bool):
        if empty:
            return []
        where, params = counts.window(mark, None)
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

    return _rows("responses", mark, cuts, compute)


def pairs(mark: dt.datetime, cuts: tuple[str, ...]) -> list[tuple]:
    """[(day, survey, version, team, (cut values...), item a, scale a, item b, scale b, n,
    Σa, Σb, Σab)] of the ratings of the valid responses after `mark` (items 0: respondents)."""

    def compute(empty: bool):
        if empty:
            return []
        from . import ratings

        where, params = counts.window(mark, None)
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

    return _rows("pairs", mark, cuts, compute)
