"""A business calendar and arithmetic on working time.

Working time is counted in the calendar's time zone: each day has its open spans (the
weekday's hours; none on a closed day; on a make-up working day the hours of the weekday it
stands in for). Times are aware datetimes; results come back in the calendar's zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

MAX_DAYS = 3 * 366  # a search that finds no open hour within this many days gives up


@dataclass(frozen=True)
class Span:
    """Open from `start` to `end` on one day (end after start, both within the day)."""

    start: dt.time
    end: dt.time

    def __post_init__(self):
        if self.end <= self.start:
            raise ValueError("a span ends after it starts")

    def length(self) -> dt.timedelta:
        return _at(dt.date(2000, 1, 3), self.end) - _at(dt.date(2000, 1, 3), self.start)


def _at(day: dt.date, time: dt.time, zone: ZoneInfo | None = None) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone)


@dataclass(frozen=True)
class Calendar:
    zone: ZoneInfo
    # weekday (0 = Monday) -> open spans, in order and not overlapping
    hours: Mapping[int, tuple[Span, ...]]
    closed: frozenset[dt.date] = frozenset()
    # make-up working days -> the weekday whose hours they keep (0: Monday's)
    working: Mapping[dt.date, int] = field(default_factory=dict)

    def spans(self, day: dt.date) -> tuple[Span, ...]:
        if day in self.closed:
            return ()
        if day in self.working:
            return tuple(self.hours.get(self.working[day], ()))
        return tuple(self.hours.get(day.weekday(), ()))

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self.spans(day))

    def _open_intervals(self, day: dt.date):
        for span in self.spans(day):
            yield _at(day, span.start, self.zone), _at(day, span.end, self.zone)

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.zone)
        return any(a <= local < b for a, b in self._open_intervals(local.date()))

    def working_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time in [start, end) (zero if end is not after start)."""
        if end <= start:
            return dt.timedelta(0)
        start, end = start.astimezone(self.zone), end.astimezone(self.zone)
        total = dt.timedelta(0)
        day = start.date()
        while day <= end.date():
            for a, b in self._open_intervals(day):
                low, high = max(a, start), min(b, end)
                if high > low:
                    total += high - low
            day += dt.timedelta(days=1)
        return total

    def add(self, start: dt.datetime, work: dt.timedelta) -> dt.datetime:
        """The moment at which `work` of working time has passed since `start` (a moment
        outside working hours counts from the next opening). Zero work from a closed moment
        is the next opening."""
        if work < dt.timedelta(0):
            raise ValueError("working time to add is negative")
        moment = start.astimezone(self.zone)
        left = work
        day = moment.date()
        for _ in range(MAX_DAYS):
            for a, b in self._open_intervals(day):
                if b <= moment:
                    continue
                begin = max(a, moment)
                if begin + left <= b:
                    return begin + left
                left -= b - begin
            day += dt.timedelta(days=1)
        raise ValueError("no working hours in the calendar")

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """`moment` if the calendar is open then, otherwise when it opens next."""
        return self.add(moment, dt.timedelta(0))


def weekdays(spans: Iterable[Span], days: Iterable[int] = range(5)) -> dict[int, tuple[Span, ...]]:
    """The same spans on each of `days` (Monday to Friday by default)."""
    spans = tuple(spans)
    return {day: spans for day in days}


@dataclass(frozen=True)
class SpecialDay:
    day: dt.date
    working: bool  # a make-up working day (调休) or, if False, a public holiday
    name_en: str  # the holiday it belongs to, e.g. "Spring Festival"
    name_zh: str  # e.g. "春节"


def china_defaults(year: int) -> list[SpecialDay]:
    """Mainland China's public holidays of `year` and its make-up working days (调休: the
    weekend days worked instead), from the State Council's schedule as published in the
    `chinesecalendar` package. Empty for a year it does not know yet."""
    import chinese_calendar

    chinese = {h.value: h.chinese for h in chinese_calendar.Holiday}
    days = [
        SpecialDay(day, False, name, chinese.get(name, name))
        for day, name in chinese_calendar.holidays.items()
        if day.year == year
    ]
    days += [
        SpecialDay(day, True, name, chinese.get(name, name))
        for day, name in chinese_calendar.workdays.items()
        if day.year == year and day.weekday() >= 5
    ]
    return sorted(days, key=lambda d: d.day)
