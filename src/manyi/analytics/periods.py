"""The default period of every dashboard, report and benchmark page (no Django here).

It always includes today: what a user just did (a response submitted a minute ago) shows up at
once. It covers the current month so far and the eleven whole months before it, so a monthly
trend has twelve points; the current month is marked as "to date" where months are compared.
"""

from __future__ import annotations

import datetime as dt

DEFAULT_MONTHS = 12


def default_period(today: dt.date, months: int = DEFAULT_MONTHS) -> tuple[dt.date, dt.date]:
    """From the first day of the month `months - 1` months back, until today (both included).

    >>> default_period(dt.date(2026, 12, 5))
    (datetime.date(2026, 1, 1), datetime.date(2026, 12, 5))
    >>> default_period(dt.date(2026, 1, 31))
    (datetime.date(2025, 2, 1), datetime.date(2026, 1, 31))
    """
    index = today.year * 12 + today.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1), today
