"""Filling the count tables, incrementally and from scratch.

A response is immutable once submitted, so counts only ever grow: each fill aggregates the
responses submitted in (filled_until, until] and adds them. It stops a little short of now
(LAG), so that a response whose transaction commits late is not skipped; readers add the few
responses after the watermark live (`tail`), so dashboards are exact and still cheap."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from manyi.customers.models import PurchaseItem
from manyi.surveys.choices import ResponseStatus
from manyi.surveys.models import Answer, Response

from .models import AnswerCount, FillState, ResponseCount

STATE = "responses"
LAG = dt.timedelta(minutes=5)
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _main_product(prefix: str):
    """The first-listed product of the purchase the invitation asked about."""
    items = PurchaseItem.objects.filter(purchase_id=OuterRef(f"{prefix}invitation__purchase_id"))
    return Subquery(items.order_by("pk").values("product_id")[:1])


def _int(*expressions):
    """The first of several ids that is set, else 0."""
    return Coalesce(*expressions, Value(0), output_field=IntegerField())


# Count table column -> (annotation name, expression from a response given a path prefix).
# Missing values become ""/0, so the tables' unique keys hold no NULLs.
_CUTS = {
    "segment_id": ("cut_segment", lambda p: _int(f"{p}customer__segment_id")),
    "region": ("cut_region", lambda p: Coalesce(f"{p}customer__region", Value(""))),
    "team_id": ("cut_team", lambda p: _int(f"{p}customer__team_id")),
    "channel": ("cut_channel", lambda p: Coalesce(f"{p}channel", Value(""))),
    "product_id": ("cut_product", lambda p: _int(_main_product(p))),
    # Who served the customer: the handler of the contact asked about, else the interviewer.
    "staff_id": (
        "cut_staff",
        lambda p: _int(f"{p}invitation__interaction__handled_by_id", f"{p}entered_by_id"),
    ),
}
_CUT_NAMES = [name for name, _expression in _CUTS.values()]


def cut_annotations(prefix: str = "") -> dict:
    return {name: expression(prefix) for name, expression in _CUTS.values()}


def local_day():
    return TruncDate("submitted_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _submitted(since: dt.datetime, until: dt.datetime | None):
    responses = Response.objects.filter(status=ResponseStatus.SUBMITTED, submitted_at__gt=since)
    return responses.filter(submitted_at__lte=until) if until is not None else responses


@dataclass(frozen=True)
class Tally:
    """Aggregated rows, keyed like the count tables' unique keys."""

    answers: Counter
    responses: Counter


def aggregate(since: dt.datetime, until: dt.datetime | None = None) -> Tally:
    """Count valid answers and submitted responses submitted in (since, until]."""
    responses = _submitted(since, until)
    rows = (
        responses.annotate(day=local_day(), **cut_annotations())
        .values("day", "survey_id", "is_valid", *_CUT_NAMES)
        .annotate(n=Count("pk"))
        .order_by()
    )
    response_counts: Counter = Counter()
    for row in rows:
        key = (row["day"], row["survey_id"], bool(row["is_valid"]), *(row[c] for c in _CUT_NAMES))
        response_counts[key] += row["n"]

    valid_ids = responses.filter(is_valid=True).values("pk")
    answers = Answer.objects.filter(response_id__in=valid_ids)
    common = dict(
        day=TruncDate("response__submitted_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)),
        code=F("question__code"),
        item_code=Coalesce("dimension__code", Value("")),
        **cut_annotations("response__"),
    )
    answer_counts: Counter = Counter()
    numbers = (
        answers.filter(number__isnull=False)
        .annotate(**common)
        .values("day", "response__survey_id", "code", "item_code", "role", "number", *_CUT_NAMES)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in numbers:
        key = (
            row["day"], row["response__survey_id"], row["code"], row["item_code"], row["role"],
            row["number"], "", *(row[c] for c in _CUT_NAMES),
        )  # fmt: skip
        answer_counts[key] += row["n"]
    # Chosen options are a JSON list per answer: exploded here, one count per option.
    chosen = (
        answers.filter(number__isnull=True)
        .exclude(choices=[])
        .annotate(**common)
        .values_list("day", "response__survey_id", "code", "role", "choices", *_CUT_NAMES)
    )
    for day, survey_id, code, role, options, *cut_values in chosen.iterator(chunk_size=5000):
        for option in options or []:
            answer_counts[(day, survey_id, code, "", role, 0, str(option)[:100], *cut_values)] += 1
    return Tally(answer_counts, response_counts)


ANSWER_KEY = (
    "day", "survey_id", "question_code", "item", "role", "value", "option",
    "segment_id", "region", "team_id", "channel", "product_id", "staff_id",
)  # fmt: skip
RESPONSE_KEY = (
    "day", "survey_id", "valid", "segment_id", "region", "team_id", "channel",
    "product_id", "staff_id",
)  # fmt: skip


def _add(model, key_columns: tuple[str, ...], counter: Counter) -> None:
    """INSERT ... ON CONFLICT DO UPDATE SET count = count + excluded.count: one statement a
    batch, on SQLite (3.24+) and PostgreSQL alike."""
    if not counter:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(c) for c in key_columns] + [quote("count")]
    marks = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(columns[:-1])}) "
        f"DO UPDATE SET {quote('count')} = {table}.{quote('count')} + excluded.{quote('count')}"
    )
    rows = [(*key, n) for key, n in counter.items()]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


def filled_until() -> dt.datetime:
    state = FillState.objects.filter(name=STATE).first()
    return state.filled_until if state else EPOCH


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
    tally = aggregate(state.filled_until, until)
    _add(AnswerCount, ANSWER_KEY, tally.answers)
    _add(ResponseCount, RESPONSE_KEY, tally.responses)
    state.filled_until = until
    state.save(update_fields=["filled_until"])
    return until


@transaction.atomic
def rebuild(now: dt.datetime | None = None) -> dt.datetime:
    """Recompute the count tables from every response."""
    AnswerCount.objects.all().delete()
    ResponseCount.objects.all().delete()
    FillState.objects.filter(name=STATE).delete()
    return fill(now)


# Within one request a dashboard asks for the tail a dozen times: it is computed once per
# request (see TailMemoMiddleware), never kept across requests, so it is never stale.
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


def tail() -> Tally:
    """What was submitted after the watermark: added live by readers."""
    memo = _memo.get()
    if memo is not None and "tally" in memo:
        return memo["tally"]
    tally = aggregate(filled_until(), None)
    if memo is not None:
        memo["tally"] = tally
    return tally
