"""SLA timers of cases on business calendars: targets from the policy of the case's type and
severity; the warning (75 % of a target), breach and escalation (150 %) moments stored on
the case whenever a timer starts, pauses, resumes or stops; and the periodic evaluation,
which asks the database which stored moments have passed and tells the people concerned."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from manyi.worktime import Calendar, Span
from manyi.worktime.sla import Timer

from .choices import OPEN_STATUSES, NotificationKind, SlaLevel, Status
from .models import BusinessCalendar, Case, SlaPolicy

log = logging.getLogger(__name__)

WARN_SHARE = 0.75
ESCALATE_SHARE = 1.5
TIMERS = ("response", "resolution")


def calendar_of(stored: BusinessCalendar | None) -> Calendar:
    """The working-time calendar of a stored one (the default calendar for None; if there
    is none at all, Monday to Friday 09:00-18:00 in the site's zone)."""
    if stored is None:
        stored = BusinessCalendar.objects.filter(is_default=True).first()
    if stored is None:
        from django.conf import settings

        spans = (Span(dt.time(9), dt.time(18)),)
        return Calendar(ZoneInfo(settings.TIME_ZONE), {d: spans for d in range(5)})
    hours: dict[int, list[Span]] = {}
    for row in stored.hours.all():
        hours.setdefault(row.weekday, []).append(Span(row.start, row.end))
    days = list(stored.days.all())
    return Calendar(
        ZoneInfo(stored.time_zone),
        {weekday: tuple(sorted(spans, key=lambda s: s.start)) for weekday, spans in hours.items()},
        frozenset(d.day for d in days if not d.working),
        {d.day: 0 for d in days if d.working},
    )


class Calendars:
    """Calendars by id and policies by type and severity, for one evaluation, request or
    bulk run (each read once)."""

    def __init__(self):
        self._by_id: dict[int | None, Calendar] = {}
        self._policies: dict[tuple[str, str], SlaPolicy | None] = {}

    def policy(self, case_type: str, severity: str) -> SlaPolicy | None:
        key = (case_type, severity)
        if key not in self._policies:
            self._policies[key] = SlaPolicy.objects.filter(
                case_type=case_type, severity=severity
            ).first()
        return self._policies[key]

    def get(self, calendar_id: int | None) -> Calendar:
        if calendar_id not in self._by_id:
            stored = (
                BusinessCalendar.objects.prefetch_related("hours", "days").get(pk=calendar_id)
                if calendar_id
                else None
            )
            self._by_id[calendar_id] = calendar_of(stored)
        return self._by_id[calendar_id]

    def of_case(self, case: Case) -> Calendar:
        return self.get(case.policy.calendar_id if case.policy else None)


def _timer(case: Case, name: str) -> Timer | None:
    target = getattr(case, f"{name}_target")
    if target is None:
        return None
    return Timer(target, getattr(case, f"{name}_used"), getattr(case, f"{name}_since"))


def _store(case: Case, name: str, timer: Timer, calendar: Calendar) -> None:
    """Write the timer and its moments onto the case (not saved)."""
    setattr(case, f"{name}_used", timer.used)
    setattr(case, f"{name}_since", timer.running_since)
    setattr(case, f"{name}_warn_at", timer.moment(calendar, WARN_SHARE))
    setattr(case, f"{name}_due", timer.moment(calendar, 1.0))
    setattr(case, f"{name}_escalate_at", timer.moment(calendar, ESCALATE_SHARE))


SLA_FIELDS = [
    f"{name}_{part}"
    for name in TIMERS
    for part in ("target", "used", "since", "warn_at", "due", "escalate_at")
] + ["policy"]


def start(case: Case, at: dt.datetime, calendars: Calendars | None = None) -> None:
    """Targets from the policy of the case's type and severity; both timers run from `at`
    (a case with no policy has no SLA)."""
    calendars = calendars or Calendars()
    case.policy = calendars.policy(case.case_type, case.severity)
    if case.policy is None:
        for name in TIMERS:
            setattr(case, f"{name}_target", None)
            for part in ("since", "warn_at", "due", "escalate_at"):
                setattr(case, f"{name}_{part}", None)
        return
    calendar = calendars.of_case(case)
    case.response_target = case.policy.first_response
    case.resolution_target = case.policy.resolution
    for name in TIMERS:
        _store(case, name, Timer.start(getattr(case, f"{name}_target"), at), calendar)


def follow(case: Case, before: str, at: dt.datetime, calendars: Calendars | None = None) -> None:
    """Move the timers along a status change from `before` to `case.status` at `at`: waiting
    for the customer pauses both, leaving it resumes them, resolving or closing stops the
    resolution timer, reopening runs it again (its used time kept)."""
    calendars = calendars or Calendars()
    calendar = calendars.of_case(case)
    after = case.status
    for name in TIMERS:
        timer = _timer(case, name)
        if timer is None:
            continue
        if name == "response" and case.first_response_at is not None:
            timer = timer.pause(calendar, case.first_response_at)
        elif after in OPEN_STATUSES and after != Status.WAITING:
            timer = timer.resume(at)
        else:
            timer = timer.pause(calendar, at)
        _store(case, name, timer, calendar)


def retarget(case: Case, at: dt.datetime, calendars: Calendars | None = None) -> None:
    """The policy of a new type or severity: its targets, the working time used so far
    kept, each timer running or not as before."""
    calendars = calendars or Calendars()
    used = {}
    for name in TIMERS:
        timer = _timer(case, name)
        used[name] = timer.used_at(calendars.of_case(case), at) if timer else dt.timedelta(0)
    start(case, at, calendars)
    for name in TIMERS:
        if getattr(case, f"{name}_target") is not None:
            setattr(case, f"{name}_used", used[name])
    follow(case, case.status, at, calendars)


def responded(case: Case, at: dt.datetime, calendars: Calendars | None = None) -> None:
    """The first response was given at `at`: its timer stops."""
    if case.first_response_at is not None:
        return
    case.first_response_at = at
    timer = _timer(case, "response")
    if timer is not None:
        calendar = (calendars or Calendars()).of_case(case)
        _store(case, "response", timer.pause(calendar, at), calendar)


def state(case: Case, now: dt.datetime | None = None, calendars: Calendars | None = None):
    """{timer: (share of the target used, due moment or None, level)} for the case page."""
    now = now or timezone.now()
    calendar = (calendars or Calendars()).of_case(case)
    result = {}
    for name in TIMERS:
        timer = _timer(case, name)
        if timer is None:
            continue
        result[name] = (
            timer.share_used(calendar, now),
            getattr(case, f"{name}_due"),
            getattr(case, f"{name}_level"),
        )
    return result


# ----- the periodic evaluation ------------------------------------------------------------

STEPS = (
    ("warn_at", SlaLevel.WARNED, NotificationKind.WARNING),
    ("due", SlaLevel.BREACHED, NotificationKind.BREACH),
    ("escalate_at", SlaLevel.ESCALATED, NotificationKind.ESCALATION),
)


def evaluate(now: dt.datetime | None = None, batch: int = 5000) -> dict[str, int]:
    """Raise the SLA level of every open case whose stored moment has passed, and tell the
    people concerned: at the warning the owner (or the team's lead if it has no owner); at
    the breach the team lead; at the escalation the team's manager (administrators if the
    team has none). Safe to run twice or concurrently: a case moves up only from a lower
    level, in a statement that checks it, and each person is told once per case and kind."""
    from . import notify

    now = now or timezone.now()
    counts: dict[str, int] = {}
    for name in TIMERS:
        for moment, level, kind in STEPS:
            level_field = f"{name}_level"
            due = Q(**{f"{name}_{moment}__lte": now, f"{level_field}__lt": level})
            while True:
                with transaction.atomic():
                    ids = list(
                        Case.objects.filter(due, status__in=OPEN_STATUSES)
                        .order_by("pk")
                        .values_list("pk", flat=True)[:batch]
                    )
                    if not ids:
                        break
                    moved = list(
                        Case.objects.filter(pk__in=ids, **{f"{level_field}__lt": level})
                        .select_for_update()
                        .values_list("pk", flat=True)
                    )
                    Case.objects.filter(pk__in=moved).update(**{level_field: level})
                    notify.sla(moved, kind, timer=name, at=now)
                counts[f"{name}:{kind}"] = counts.get(f"{name}:{kind}", 0) + len(moved)
    if any(counts.values()):
        log.info("SLA evaluation: %s", counts)
    return counts
