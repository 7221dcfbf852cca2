"""What the closed loop achieves, for a period and the user's scope: complaints by category,
channel and region (counts, and a rate per 100 customers with a purchase in the period, a
Poisson rate with its exact interval), first-response and resolution times in working hours
(median and 90th percentile), SLA compliance, reopen rate, handling rate, satisfaction with
the handling (from the follow-up survey), and silent dissatisfaction (dissatisfied
respondents who never complained themselves). Every figure is aggregated in the database;
shares carry n and a Wilson interval."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, DateField, Exists, F, Min, OuterRef, Q
from django.db.models.functions import Trunc
from django.utils import timezone

from manyi.analytics.queries import day_instants, period_starts
from manyi.customers.models import Customer, Purchase
from manyi.metrics.intervals import poisson_exact
from manyi.metrics.scores import Estimate, nps, proportion
from manyi.surveys.choices import QuestionType
from manyi.surveys.models import Answer

from .choices import OPEN_STATUSES, CaseType, Source, Status
from .models import Case

CLOSED = (Status.RESOLVED, Status.CLOSED)
TOP_PRODUCTS = 20
SELF_REPORTED = (Source.STAFF, Source.FEEDBACK_FORM, Source.INTERACTION, Source.IMPORT, Source.API)


@dataclass(frozen=True)
class Rate:
    """Complaints per 100 customers who bought in the period, with the exact Poisson
    interval of the count scaled the same way (a count per customer is a rate)."""

    count: int
    base: int
    value: float | None
    low: float | None
    high: float | None


def rate(count: int, base: int) -> Rate:
    if base <= 0:
        return Rate(count, base, None, None, None)
    interval = poisson_exact(count)
    return Rate(count, base, 100 * count / base, 100 * interval.low / base,
                100 * interval.high / base)  # fmt: skip


@dataclass(frozen=True)
class Times:
    """Working time (hours) from opening to the first response or to the resolution."""

    n: int
    median: float | None
    p90: float | None


def _hours(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 3600
    return int(value) / 3_600_000_000  # SQLite keeps durations in microseconds


def _percentile(queryset, field: str, q: float, n: int) -> float | None:
    """The q-quantile of `field` over the `n` rows of `queryset` (linear between the two
    nearest ranks): the database sorts and returns the two rows around the rank, on SQLite
    and PostgreSQL alike."""
    if n == 0:
        return None
    rank = q * (n - 1)
    low = int(rank)
    values = [
        _hours(v) for v in queryset.order_by(field).values_list(field, flat=True)[low : low + 2]
    ]
    if len(values) == 1 or rank == low:
        return values[0]
    return values[0] + (values[1] - values[0]) * (rank - low)


def _times(queryset, field: str, n: int) -> Times:
    return Times(n, _percentile(queryset, field, 0.5, n), _percentile(queryset, field, 0.9, n))


@dataclass(frozen=True)
class CaseFigures:
    since: dt.date
    until: dt.date
    complaints: int
    customers_buying: int
    complaint_rate: Rate
    by_category: list[tuple[str, int, Rate, int | None]]  # name, count, rate, category id
    by_channel: list[tuple[str, int]]
    by_region: list[tuple[str, int, Rate]]
    by_product: list[tuple[str, int, Rate]]  # per 100 customers who bought the product
    by_month: list[tuple[dt.date, int, Rate]]  # per 100 orders of that month
    response_times: Times
    resolution_times: Times
    response_on_time: Estimate
    resolution_on_time: Estimate
    reopen_rate: Estimate
    handling_rate: Estimate
    handling_satisfaction: Estimate
    silent_dissatisfaction: Estimate


def case_figures(user, since: dt.date, until: dt.date, language: str) -> CaseFigures:
    start, end = day_instants(since, until)
    min_n = settings.MANYI_MIN_SAMPLE
    visible = Case.objects.visible_to(user)
    opened = visible.filter(opened_at__gte=start, opened_at__lt=end)
    complaints = opened.filter(case_type=CaseType.COMPLAINT)
    buying = Purchase.objects.visible_to(user).filter(purchased_at__gte=start, purchased_at__lt=end)
    customers_buying = buying.values("customer_id").distinct().count()
    by_region_base = dict(
        buying.values_list("customer__region").annotate(n=Count("customer_id", distinct=True))
    )
    total = complaints.count()
    by_category = [
        (
            (row["category__name_en"] if language.startswith("en") and row["category__name_en"]
             else row["category__name_zh"]) or "—",
            row["n"],
            rate(row["n"], customers_buying),
            row["category_id"],
        )
        for row in complaints.values("category_id", "category__name_zh", "category__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n")
    ]  # fmt: skip
    by_channel = [
        (row["channel"], row["n"])
        for row in complaints.values("channel").annotate(n=Count("pk")).order_by("-n")
    ]
    by_region = [
        (row["customer__region"] or "—", row["n"],
         rate(row["n"], by_region_base.get(row["customer__region"], 0)))
        for row in complaints.values("customer__region").annotate(n=Count("pk")).order_by("-n")
    ]  # fmt: skip

    # A complaint about a purchase counts for each product of it; the base is the customers
    # who bought that product in the period.
    product_rows = list(
        complaints.filter(purchase__isnull=False)
        .values("purchase__items__product_id", "purchase__items__product__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "purchase__items__product__name")[:TOP_PRODUCTS]
    )
    products = [row["purchase__items__product_id"] for row in product_rows]
    product_base = dict(
        buying.filter(items__product_id__in=products)
        .values_list("items__product_id")
        .annotate(n=Count("customer_id", distinct=True))
    )
    by_product = [
        (row["purchase__items__product__name"] or "—", row["n"],
         rate(row["n"], product_base.get(row["purchase__items__product_id"], 0)))
        for row in product_rows
    ]  # fmt: skip
    # By month: complaints per 100 orders of the same month (customers come and go between
    # months; orders are the month's own activity).
    month = Trunc("opened_at", "month", output_field=DateField())
    monthly = dict(complaints.annotate(m=month).values_list("m").annotate(n=Count("pk")).order_by())
    bought = Trunc("purchased_at", "month", output_field=DateField())
    monthly_orders = dict(
        buying.annotate(m=bought).values_list("m").annotate(n=Count("pk")).order_by()
    )
    by_month = [
        (m, monthly.get(m, 0), rate(monthly.get(m, 0), monthly_orders.get(m, 0)))
        for m in period_starts(since, until, "month")
    ]
    responded = visible.filter(
        first_response_at__gte=start, first_response_at__lt=end, response_target__isnull=False
    )
    on_time = responded.aggregate(
        n=Count("pk"), ok=Count("pk", filter=Q(response_used__lte=F("response_target")))
    )
    # Everything about the cases resolved in the period, in one pass over them.
    resolved_in = visible.filter(resolved_at__gte=start, resolved_at__lt=end)
    timed = Q(status__in=CLOSED, resolution_target__isnull=False)
    resolved = resolved_in.filter(timed)
    done = resolved_in.aggregate(
        timed=Count("pk", filter=timed),
        on_time=Count("pk", filter=timed & Q(resolution_used__lte=F("resolution_target"))),
        n=Count("pk"),
        reopened=Count("pk", filter=Q(reopened_count__gt=0)),
        followed=Count("pk", filter=Q(recovery_score__isnull=False)),
        satisfied=Count("pk", filter=Q(recovery_score__gte=4)),
    )
    handled = {"n": total, "done": complaints.filter(status__in=CLOSED).count()}

    # Silent dissatisfaction: respondents unhappy in the period (NPS 0-6, overall CSAT 1-2)
    # who did not complain themselves (a complaint case they raised, not one a survey opened)
    # up to the period's end.
    unhappy = (
        Answer.objects.filter(
            response__status="submitted",
            response__submitted_at__gte=start,
            response__submitted_at__lt=end,
            response__customer__isnull=False,
            number__isnull=False,
        )
        .filter(
            Q(question__type=QuestionType.NPS, number__lte=6)
            | Q(question__type=QuestionType.CSAT, dimension__isnull=True, number__lte=2)
        )
        .filter(response__customer__in=Customer.objects.visible_to(user))
        .values("response__customer_id")
        .distinct()
    )
    complained = Case.objects.filter(
        customer_id=OuterRef("response__customer_id"),
        case_type=CaseType.COMPLAINT,
        source__in=SELF_REPORTED,
        opened_at__lt=end,
    )
    silent = unhappy.annotate(complained=Exists(complained)).aggregate(
        n=Count("response__customer_id", distinct=True),
        silent=Count("response__customer_id", distinct=True, filter=Q(complained=False)),
    )
    return CaseFigures(
        since=since,
        until=until,
        complaints=total,
        customers_buying=customers_buying,
        complaint_rate=rate(total, customers_buying),
        by_category=by_category,
        by_channel=by_channel,
        by_region=by_region,
        by_product=by_product,
        by_month=by_month,
        response_times=_times(responded, "response_used", on_time["n"]),
        resolution_times=_times(resolved, "resolution_used", done["timed"]),
        response_on_time=proportion(on_time["ok"], on_time["n"], min_n=min_n),
        resolution_on_time=proportion(done["on_time"], done["timed"], min_n=min_n),
        reopen_rate=proportion(done["reopened"], done["n"], min_n=min_n),
        handling_rate=proportion(handled["done"], handled["n"], min_n=min_n),
        handling_satisfaction=proportion(done["satisfied"], done["followed"], min_n=min_n),
        silent_dissatisfaction=proportion(silent["silent"], silent["n"], min_n=min_n),
    )


@dataclass(frozen=True)
class Loyalty:
    """One group of the customers who bought in the period: how many, the share who bought
    again after their complaint (or, never complaining, after their first purchase in the
    period), and the NPS they gave after it."""

    group: str  # "resolved", "unresolved", "never"
    customers: int
    bought_again: Estimate
    nps: Estimate


LOYALTY_GROUPS = ("resolved", "unresolved", "never")


def _sql(queryset) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def recovery_loyalty(user, since: dt.date, until: dt.date) -> list[Loyalty]:
    """Loyalty of complainers whose complaints were all resolved, of those with one still
    open, and of customers who never complained, among the customers who bought in the
    period. Each customer's moment is their first complaint in the period, or their first
    purchase in it; "bought again" is a purchase after that moment (up to now), the NPS
    counts their answers submitted after it.

    Counted in the database in two statements: the period's purchases and complaints are
    each grouped by customer once (not looked up customer by customer: at a million cases
    that took seconds), joined, and the groups counted."""
    start, end = day_instants(since, until)
    min_n = settings.MANYI_MIN_SAMPLE
    buyers = _sql(
        Purchase.objects.visible_to(user)
        .filter(purchased_at__gte=start, purchased_at__lt=end)
        .values("customer_id")
        .annotate(first=Min("purchased_at"))
        .values("customer_id", "first")
        .order_by()
    )
    complained = _sql(
        Case.objects.filter(case_type=CaseType.COMPLAINT, opened_at__gte=start, opened_at__lt=end)
        .values("customer_id")
        .annotate(
            first=Min("opened_at"), still_open=Count("pk", filter=Q(status__in=OPEN_STATUSES))
        )
        .values("customer_id", "first", "still_open")
        .order_by()
    )
    nps_answers = _sql(
        Answer.objects.filter(
            question__type=QuestionType.NPS, number__isnull=False,
            response__status="submitted", response__submitted_at__gte=start,
            response__customer__isnull=False,
        )
        .annotate(who=F("response__customer_id"), at=F("response__submitted_at"))
        .values("who", "at", "number")
    )  # fmt: skip
    purchase = Purchase._meta.db_table
    people = (
        f"WITH b AS ({buyers[0]}), c AS ({complained[0]}), "
        "p AS (SELECT b.customer_id, COALESCE(c.first, b.first) AS moment, "
        "CASE WHEN c.customer_id IS NULL THEN 'never' WHEN c.still_open > 0 THEN 'unresolved' "
        "ELSE 'resolved' END AS grp FROM b LEFT JOIN c ON c.customer_id = b.customer_id) "
    )
    with connection.cursor() as cursor:
        cursor.execute(
            people + "SELECT p.grp, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM "
            f"{purchase} x WHERE x.customer_id = p.customer_id AND x.purchased_at > p.moment) "
            "THEN 1 ELSE 0 END) FROM p GROUP BY p.grp",
            buyers[1] + complained[1],
        )
        counted = {group: (n, again) for group, n, again in cursor.fetchall()}
        cursor.execute(
            people + f"SELECT p.grp, a.number, COUNT(*) FROM ({nps_answers[0]}) a "
            "JOIN p ON p.customer_id = a.who WHERE a.at >= p.moment GROUP BY p.grp, a.number",
            buyers[1] + complained[1] + nps_answers[1],
        )
        scores: dict[str, dict[int, int]] = {}
        for group, number, n in cursor.fetchall():
            scores.setdefault(group, {})[number] = n
    result = []
    for group in LOYALTY_GROUPS:
        n, again = counted.get(group, (0, 0))
        result.append(
            Loyalty(
                group=group,
                customers=n,
                bought_again=proportion(int(again or 0), n, min_n=min_n),
                nps=nps(scores.get(group, {}), min_n=min_n).score,
            )
        )
    return result


def default_period() -> tuple[dt.date, dt.date]:
    """The last 90 days, today included."""
    today = timezone.localdate()
    return today - dt.timedelta(days=89), today
