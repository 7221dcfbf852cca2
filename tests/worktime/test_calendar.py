"""Working-time arithmetic across a night, a weekend, a public holiday with its make-up
working days (调休), a lunch break, and time zones."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manyi.worktime import Calendar, Span, china_defaults, weekdays

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def at(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def office(closed=(), working=None) -> Calendar:
    """Monday to Friday 09:00-12:00 and 13:00-18:00 (8 working hours a day)."""
    spans = (Span(dt.time(9), dt.time(12)), Span(dt.time(13), dt.time(18)))
    return Calendar(SHANGHAI, weekdays(spans), frozenset(closed), working or {})


def china_2026() -> Calendar:
    days = china_defaults(2026)
    return office(
        closed=[d.day for d in days if not d.working],
        working={d.day: 0 for d in days if d.working},
    )


def test_the_clock_runs_in_working_hours_only_across_the_night_and_lunch():
    cal = office()
    # Tuesday 2026-12-01, 17:00 + 2 working hours: 1 h today, 1 h from 09:00 tomorrow
    assert cal.add(at(2026, 12, 1, 17), 2 * H) == at(2026, 12, 2, 10)
    # 11:30 + 1 h skips lunch
    assert cal.add(at(2026, 12, 1, 11, 30), H) == at(2026, 12, 1, 13, 30)
    # a target that ends exactly at closing time ends at 18:00, not the next morning
    assert cal.add(at(2026, 12, 1, 17), H) == at(2026, 12, 1, 18)
    assert cal.working_between(at(2026, 12, 1, 17), at(2026, 12, 2, 10)) == 2 * H
    # arriving at night: counted from the next opening
    assert cal.add(at(2026, 12, 1, 22), H) == at(2026, 12, 2, 10)
    assert cal.next_opening(at(2026, 12, 1, 12, 30)) == at(2026, 12, 1, 13)
    assert cal.next_opening(at(2026, 12, 1, 10)) == at(2026, 12, 1, 10)
    assert not cal.is_open(at(2026, 12, 1, 12, 30)) and cal.is_open(at(2026, 12, 1, 9))


def test_a_weekend_stops_the_clock():
    cal = office()
    # Friday 2026-12-04 16:00 + 4 h: 2 h on Friday, then Monday 09:00 + 2 h
    assert cal.add(at(2026, 12, 4, 16), 4 * H) == at(2026, 12, 7, 11)
    assert cal.working_between(at(2026, 12, 4, 16), at(2026, 12, 7, 11)) == 4 * H
    # a case opened on Saturday starts on Monday morning
    assert cal.add(at(2026, 12, 5, 10), 8 * H) == at(2026, 12, 7, 18)


def test_public_holidays_and_make_up_working_days_of_2026():
    cal = china_2026()
    # National Day: Wednesday 2026-09-30 17:00 + 2 h -> closed 1-7 October, so Thursday 8
    # October 10:00
    assert cal.add(at(2026, 9, 30, 17), 2 * H) == at(2026, 10, 8, 10)
    # Saturday 10 October is a make-up working day: Friday 9 October 17:00 + 2 h -> Saturday
    assert cal.add(at(2026, 10, 9, 17), 2 * H) == at(2026, 10, 10, 10)
    # Sunday 20 September too; Mid-Autumn (25-27 September, Friday to Sunday) is closed
    assert cal.is_working_day(dt.date(2026, 9, 20))
    assert not cal.is_working_day(dt.date(2026, 9, 25))
    assert cal.add(at(2026, 9, 24, 17), 2 * H) == at(2026, 9, 28, 10)
    # Spring Festival: 15-23 February closed, Saturday 14 and 28 February worked
    assert cal.add(at(2026, 2, 13, 17), 2 * H) == at(2026, 2, 14, 10)
    assert cal.add(at(2026, 2, 14, 17), 2 * H) == at(2026, 2, 24, 10)
    assert cal.working_between(at(2026, 2, 13, 9), at(2026, 2, 25, 9)) == 3 * 8 * H


def test_china_defaults_name_the_holidays_in_both_languages_and_know_only_published_years():
    days = {d.day: d for d in china_defaults(2026)}
    assert days[dt.date(2026, 2, 17)].name_zh == "春节"
    assert days[dt.date(2026, 2, 17)].name_en == "Spring Festival"
    assert days[dt.date(2026, 1, 4)].working  # a Sunday worked for New Year
    assert sum(not d.working for d in days.values()) == 33
    assert china_defaults(1990) == []


def test_other_time_zones_are_converted_and_spans_must_be_real():
    cal = office()
    utc = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)  # 17:00 in Shanghai
    assert cal.add(utc, 2 * H) == at(2026, 12, 2, 10)
    with pytest.raises(ValueError):
        Span(dt.time(18), dt.time(9))
    with pytest.raises(ValueError):
        Calendar(SHANGHAI, {}).add(at(2026, 12, 1), H)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 20)),
    minutes=st.integers(0, 60 * 8 * 15),
)
def test_adding_working_time_and_measuring_it_agree(start, minutes):
    cal = china_2026()
    begin = start.replace(tzinfo=SHANGHAI)
    end = cal.add(begin, dt.timedelta(minutes=minutes))
    assert cal.working_between(begin, end) == dt.timedelta(minutes=minutes)
    assert end >= begin
