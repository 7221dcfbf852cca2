"""Behavioural indicators from the records (observation method, METHODS.md). A share of a
base (returned orders of orders, customers who complained of customers) is a proportion, in
percent with its Wilson interval; a count of events per unit of base (complaints per customer,
per order) is a rate, which can pass 100 %, so it is given per 100 units with the exact
Poisson (Garwood) interval of the count."""

from __future__ import annotations

from .intervals import poisson_exact
from .scores import DEFAULT_MIN_N, Estimate, proportion

PER = 100  # rates are given per 100 customers (or orders)


def event_rate(events: int, base: int, *, per: int = PER, min_n: int = DEFAULT_MIN_N) -> Estimate:
    """Events per `per` units of base, with the exact Poisson interval of the count divided
    by the base; n is the base."""
    if base <= 0:
        return Estimate.empty()
    interval = poisson_exact(events)
    scale = per / base
    return Estimate(
        events * scale, interval.low * scale, interval.high * scale, base, base >= min_n
    )


def complaint_rate(complaints: int, base: int, *, min_n: int = DEFAULT_MIN_N) -> Estimate:
    """Complaints per 100 customers (or per 100 orders, whichever base is given). A customer
    can complain more than once, so this is a rate, not a share: 120 means 1.2 complaints
    per customer."""
    return event_rate(complaints, base, min_n=min_n)


def complainant_share(complainants: int, customers: int, *, min_n: int = DEFAULT_MIN_N):
    """Customers with at least one complaint / customers, %, Wilson interval."""
    return proportion(complainants, customers, min_n=min_n)


def return_rate(returned: int, orders: int, *, min_n: int = DEFAULT_MIN_N) -> Estimate:
    return proportion(returned, orders, min_n=min_n)


def repurchase_rate(bought_again: int, buyers: int, *, min_n: int = DEFAULT_MIN_N) -> Estimate:
    """Buyers who bought again within the window / buyers."""
    return proportion(bought_again, buyers, min_n=min_n)


def churn_rate(lost: int, at_start: int, *, min_n: int = DEFAULT_MIN_N) -> Estimate:
    """Customers lost in the period / customers at its start. Only meaningful for a period
    that is over: before its end, customers who will still buy in it count as lost."""
    return proportion(lost, at_start, min_n=min_n)
