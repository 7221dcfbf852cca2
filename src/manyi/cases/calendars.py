"""Stored business calendars: the default one (Monday to Friday, 09:00-12:00 and
13:00-18:00, with mainland China's holidays and make-up working days of the current year)
and adding a year's schedule."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from manyi.worktime import china_defaults

from .models import BusinessCalendar, CalendarDay, WorkingHours

DEFAULT_NAME = "中国大陆工作日 / Mainland China"
DEFAULT_HOURS = ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(18)))


@transaction.atomic
def add_china_holidays(calendar: BusinessCalendar, year: int) -> int:
    """Add the year's public holidays and make-up working days (a day already there is
    left as it was edited). Returns how many days were added."""
    existing = set(calendar.days.filter(day__year=year).values_list("day", flat=True))
    rows = [
        CalendarDay(calendar=calendar, day=d.day, working=d.working, name=d.name_zh)
        for d in china_defaults(year)
        if d.day not in existing
    ]
    CalendarDay.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def default_calendar() -> BusinessCalendar:
    calendar = BusinessCalendar.objects.filter(is_default=True).first()
    if calendar is not None:
        return calendar
    calendar = BusinessCalendar.objects.create(
        name="中国大陆工作日 / Mainland China", is_default=True
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=weekday, start=start, end=end)
        for weekday in range(5)
        for start, end in DEFAULT_HOURS
    )
    add_china_holidays(calendar, timezone.localdate().year)
    return calendar
