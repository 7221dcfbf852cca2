"""Business time: working hours per weekday, closed days (public holidays) and make-up
working days (调休), in a time zone; how much working time lies between two moments, and
when a given amount of working time has passed. Plain Python, no Django: the cases app
builds a `Calendar` from its stored calendars and the SLA clock (`sla`) runs on it."""

from .calendar import Calendar, Span, SpecialDay, china_defaults, weekdays

__all__ = ["Calendar", "Span", "SpecialDay", "china_defaults", "weekdays"]
