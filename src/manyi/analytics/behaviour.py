"""Behavioural indicators from the customer records (observation method, METHODS.md): what
customers do rather than what they say. Counts come from purchases and interactions of the
customers the user may see; the formulas are `manyi.metrics.behaviour`.

Definitions, for a period [since, until] (local dates, both included):
- complaint rate: complaints (interactions of kind "complaint") in the period per 100 active
  customers (with an order or a contact in the period) and per 100 orders in the period, a
  rate with its exact Poisson interval; and the share of active customers with at least one
  complaint, a proportion with its Wilson interval;
- return rate: orders placed in the period that were returned / orders placed in the period;
- repurchase rate: buyers in the period who ordered again within N days after their first
  order in the period / buyers. The window may reach past the period's end; for a recent
  period it is not over yet, so the rate is then a lower bound;
- churn rate: customers who ordered in the 12 months before the period start and not in the
  period / those customers. It needs the whole period: while the period is not over (it
  ends today or later) customers who will still buy in it count as lost, so the figure is
  an upper bound and the rates say `complete=False`; in the month-by-month trend, a month
  that is not over, or that the chosen period cuts, has no churn rate.
A customer's segment and region are the current ones on the profile."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, fields

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from manyi.customers.choices import InteractionKind
from manyi.customers.models import Customer, Interaction, Purchase, Segment
from manyi.metrics import behaviour as mb
from manyi.metrics.scores import Estimate

from . import counts as count_tables
from .queries import Filters

DEFAULT_WINDOW_DAYS = 90
GROUPS = ("segment", "region")
_KEY_COLUMN = {None: None, "segment": "segment_id", "region": "region"}


@dataclass(frozen=True)
class Tally:
    """The counts behind the rates of one group."""

    customers: int = 0  # active: ordered or contacted in the period
    orders: int = 0
    complaints: int = 0
    complainants: int = 0  # active customers with at least one complaint in the period
    returned: int = 0
    buyers: int = 0
    bought_again: int = 0
    at_start: int = 0  # ordered in the 12 months before the period
    lost: int = 0  # ... and not in the period


@dataclass(frozen=True)
class Rates:
    key: object  # None overall, a segment id, a region, or a month's first day
    label: str
    complaints_per_customer: Estimate  # per 100 customers, Poisson interval
    complaints_per_order: Estimate  # per 100 orders, Poisson interval
    complainants: Estimate  # % of customers with a complaint, Wilson interval
    returns: Estimate
    repurchase: Estimate
    churn: Estimate  # empty for a month row that is not a whole, finished month
    tally: Tally
    complete: bool = True  # the period is over (and, for a month row, a whole month)


def _rates(key, label: str, tally: Tally, *, complete: bool = True, churn: bool = True) -> Rates:
    min_n = settings.MANYI_MIN_SAMPLE
    return Rates(
        key=key,
        label=label,
        complaints_per_customer=mb.complaint_rate(tally.complaints, tally.customers, min_n=min_n),
        complaints_per_order=mb.complaint_rate(tally.complaints, tally.orders, min_n=min_n),
        complainants=mb.complainant_share(tally.complainants, tally.customers, min_n=min_n),
        returns=mb.return_rate(tally.returned, tally.orders, min_n=min_n),
        repurchase=mb.repurchase_rate(tally.bought_again, tally.buyers, min_n=min_n),
        churn=mb.churn_rate(tally.lost, tally.at_start, min_n=min_n) if churn else Estimate.empty(),
        tally=tally,
        complete=complete,
    )


def _moment(day: dt.date) -> dt.datetime:
    """The start of a local day, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _customers(filters: Filters, user):
    customers = Customer.objects.visible_to(user)
    if filters.segment_id:
        customers = customers.filter(segment_id=filters.segment_id)
    if filters.region:
        customers = customers.filter(region=filters.region)
    if filters.team_id:
        customers = customers.filter(team_id=filters.team_id)
    return customers


def _purchases(filters: Filters, user, customers, lookback, horizon) -> list[tuple]:
    """(customer, purchased at as a POSIX timestamp, returned, segment, region) of the
    customers in the cut, from `lookback` to `horizon`, oldest first per customer. A page asks
    for the whole period, each grouping and each month: within a request the rows are read
    once, for the widest range asked first, and narrower ranges are cut from them."""
    memo = count_tables.request_memo()
    key = ("behaviour.purchases", user.pk, filters.segment_id, filters.region, filters.team_id)
    low, high = lookback.timestamp(), horizon.timestamp()
    if memo is not None and key in memo:
        stored_low, stored_high, rows = memo[key]
        if stored_low <= low and high <= stored_high:
            return [row for row in rows if low <= row[1] < high]
    rows = [
        (customer, at.timestamp(), returned, segment, region)
        for customer, at, returned, segment, region in Purchase.objects.visible_to(user)
        .filter(customer__in=customers, purchased_at__gte=lookback, purchased_at__lt=horizon)
        .order_by("customer_id", "purchased_at", "pk")
        .values_list(
            "customer_id", "purchased_at", "returned", "customer__segment_id", "customer__region"
        )
        .iterator(chunk_size=5000)
    ]
    if memo is not None:
        memo[key] = (low, high, rows)
    return rows


_ROW_INDEX = {None: None, "segment": 3, "region": 4}


def _tallies(
    filters: Filters, *, user, since: dt.date, until: dt.date, group: str | None, window: int
) -> dict[object, Tally]:
    """{group key: Tally} for the period, in two queries."""
    column = _KEY_COLUMN[group]
    customers = _customers(filters, user)
    start, end = _moment(since), _moment(until + dt.timedelta(days=1))
    lookback = _moment(year_before(since))
    horizon = end + dt.timedelta(days=window)
    purchases = _purchases(filters, user, customers, lookback, horizon)
    index = _ROW_INDEX[group]
    counts: dict[object, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    timeline: dict[int, list[float]] = defaultdict(list)
    key_of: dict[int, object] = {}
    begin, stop, window_seconds = start.timestamp(), end.timestamp(), window * 86400
    for row in purchases:
        customer_id, at, returned = row[:3]
        key_of[customer_id] = row[index] if index else None
        timeline[customer_id].append(at)
        if begin <= at < stop:
            c = counts[key_of[customer_id]]
            c["orders"] += 1
            c["returned"] += bool(returned)
    active: dict[int, object] = {}
    for customer_id, times in timeline.items():
        c = counts[key_of[customer_id]]
        first = bisect_left(times, begin)  # times are in order: the first one in the period
        in_period = first < len(times) and times[first] < stop
        if first > 0:  # bought in the year before the period
            c["at_start"] += 1
            c["lost"] += not in_period
        if in_period:
            active[customer_id] = key_of[customer_id]
            c["buyers"] += 1
            later = times[first + 1] if first + 1 < len(times) else None
            c["bought_again"] += later is not None and later <= times[first] + window_seconds
    complaints = (
        Interaction.objects.visible_to(user)
        .filter(customer__in=customers, occurred_at__gte=start, occurred_at__lt=end)
        .values("customer_id", *([f"customer__{column}"] if column else []))
        .annotate(complaints=Count("pk", filter=Q(kind=InteractionKind.COMPLAINT)))
        .order_by()
    )
    for row in complaints:
        key = row[f"customer__{column}"] if column else None
        counts[key]["complaints"] += row["complaints"]
        counts[key]["complainants"] += row["complaints"] > 0
        active.setdefault(row["customer_id"], key)
    for key in active.values():
        counts[key]["customers"] += 1
    names = {f.name for f in fields(Tally)}
    return {key: Tally(**{k: v for k, v in c.items() if k in names}) for key, c in counts.items()}


def _period(filters: Filters) -> tuple[dt.date, dt.date]:
    if not (filters.since and filters.until):
        raise ValueError("behavioural indicators need a period with both ends")
    return filters.since, filters.until


def is_over(until: dt.date, today: dt.date | None = None) -> bool:
    """Whether a period ending on `until` is over: it ended before today."""
    return until < (today or timezone.localdate())


def indicators(
    filters: Filters, *, user, window_days: int = DEFAULT_WINDOW_DAYS, today=None
) -> Rates:
    """All the rates over the period, for the customers `user` may see in the cut."""
    since, until = _period(filters)
    tallies = _tallies(filters, user=user, since=since, until=until, group=None, window=window_days)
    return _rates(None, "", tallies.get(None, Tally()), complete=is_over(until, today))


def indicators_by(
    filters: Filters, by: str, *, user, window_days: int = DEFAULT_WINDOW_DAYS, today=None
) -> list[Rates]:
    """The rates per segment or per region (customers without one under an empty label)."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    since, until = _period(filters)
    tallies = _tallies(filters, user=user, since=since, until=until, group=by, window=window_days)
    complete = is_over(until, today)
    if by == "segment":
        names = dict(Segment.objects.filter(pk__in=list(tallies)).values_list("pk", "name"))
        rows = [_rates(key, names.get(key, ""), t, complete=complete) for key, t in tallies.items()]
    else:
        rows = [_rates(key, key or "", t, complete=complete) for key, t in tallies.items()]
    # Named groups in alphabetical order, then the customers without one.
    return sorted(rows, key=lambda r: (not r.label, r.label))


def months(since: dt.date, until: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months that the period touches, clipped to it."""
    result = []
    first = since.replace(day=1)
    while first <= until:
        following = (first + dt.timedelta(days=32)).replace(day=1)
        result.append((max(first, since), min(following - dt.timedelta(days=1), until)))
        first = following
    return result


def whole_month(first: dt.date, last: dt.date) -> bool:
    """Whether [first, last] is a whole calendar month."""
    return first.day == 1 and (last + dt.timedelta(days=1)).day == 1


def indicators_by_month(
    filters: Filters, *, user, window_days: int = DEFAULT_WINDOW_DAYS, today=None
) -> list[Rates]:
    """The rates month by month, for a trend: each month is a period of its own (so churn is
    "bought in the 12 months before the month, not in it"). A month that is not over, or
    that the period cuts, is marked incomplete and has no churn rate: it would not compare
    with the whole months beside it."""
    since, until = _period(filters)
    rows = []
    for first, last in months(since, until):
        t = _tallies(filters, user=user, since=first, until=last, group=None, window=window_days)
        complete = whole_month(first, last) and is_over(last, today)
        label = first.strftime("%Y-%m")
        rows.append(_rates(first, label, t.get(None, Tally()), complete=complete, churn=complete))
    return rows
