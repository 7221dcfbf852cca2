"""Behavioural indicators from the records (observation method, METHODS.md): each a share of
a base, with its Wilson interval, in percent."""

from __future__ import annotations

from .scores import DEFAULT_MIN_N, Estimate, proportion


def complaint_rate(complaints: int, base: int, *, min_n: int = DEFAULT_MIN_N) -> Estimate:
    """Complaints per customer (or per order, whichever base is given). A customer can complain
    more than once, so more complaints than base is possible; the interval is then omitted."""
    if base and complaints > base:
        return Estimate(complaints / base * 100, None, None, base, base >= min_n)
    return proportion(complaints, base, min_n=min_n)


def return_rate(returned: int, orders: int, *, min_n: int = DEFAULT_MIN_N) -> Estimate:
    return proportion(returned, orders, min_n=min_n)


def repurchase_rate(bought_again: int, buyers: int, *, min_n: int = DEFAULT_MIN_N) -> Estimate:
    """Buyers who bought again within the window / buyers."""
    return proportion(bought_again, buyers, min_n=min_n)


def churn_rate(lost: int, at_start: int, *, min_n: int = DEFAULT_MIN_N) -> Estimate:
    """Customers lost in the period / customers at its start."""
    return proportion(lost, at_start, min_n=min_n)
