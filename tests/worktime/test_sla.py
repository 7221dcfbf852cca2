"""The SLA timer: warning at 75 % of the target, breach and escalation moments in working
hours, paused while the case waits for the customer."""

import datetime as dt

from manyi.worktime.sla import Timer

from .test_calendar import at, china_2026, office

H = dt.timedelta(hours=1)


def test_warning_and_breach_fall_at_the_right_working_moment_across_a_weekend():
    cal = office()
    # opened Friday 2026-12-04 16:00 with 8 working hours to resolve
    timer = Timer.start(8 * H, at(2026, 12, 4, 16))
    assert timer.moment(cal, 0.75) == at(2026, 12, 7, 14)  # 6 h: 2 on Friday, 4 on Monday
    assert timer.moment(cal) == at(2026, 12, 7, 16)
    assert timer.moment(cal, 1.5) == at(2026, 12, 8, 11)  # escalation after half again
    assert not timer.breached(cal, at(2026, 12, 7, 16))
    assert timer.breached(cal, at(2026, 12, 7, 16, 1))
    assert timer.share_used(cal, at(2026, 12, 5, 12)) == 0.25  # Saturday: still 2 of 8


def test_waiting_for_the_customer_pauses_the_clock():
    cal = office()
    timer = Timer.start(8 * H, at(2026, 12, 1, 9))  # Tuesday
    timer = timer.pause(cal, at(2026, 12, 1, 11))  # waiting for the customer: 2 h used
    assert timer.used == 2 * H and timer.moment(cal) is None
    assert timer.used_at(cal, at(2026, 12, 3, 9)) == 2 * H
    timer = timer.resume(at(2026, 12, 3, 15))  # Thursday 15:00: 6 h left
    assert timer.moment(cal) == at(2026, 12, 4, 12)  # 3 h Thursday, 3 h Friday morning
    assert timer.moment(cal, 0.75) == at(2026, 12, 4, 10)


def test_a_timer_across_the_national_day_holiday():
    cal = china_2026()
    # first response within 4 working hours, opened Wednesday 30 September 16:00
    timer = Timer.start(4 * H, at(2026, 9, 30, 16))
    assert timer.moment(cal, 0.75) == at(2026, 10, 8, 10)  # 3 h: 2 on the 30th, 1 on the 8th
    assert timer.moment(cal) == at(2026, 10, 8, 11)
    # a share already used is due at once, when the clock runs again
    late = Timer(4 * H, 3.5 * H, None).resume(at(2026, 10, 3, 10))  # resumed on a holiday
    assert late.moment(cal, 0.75) == at(2026, 10, 8, 9)
    assert late.moment(cal) == at(2026, 10, 8, 9, 30)
