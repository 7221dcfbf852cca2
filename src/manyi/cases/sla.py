"""SLA timers of cases on business calendars: targets from the policy of the case's type and
severity; the warning (75 % of a target), breach and escalation (150 %) moments stored on
the case whenever a timer starts, pauses, resumes or stops; and the periodic evaluation,
which asks the database which stored moments have passed and tells the people concerned."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Case as SqlCase
from django.db.models import DateTimeField, F, Value, When
from django.db.models.functions import Greatest, Least, NullIf
from django.utils import timezone

from manyi.analytics.sql import adapt
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
    case.sla_next_at = next_moment(case)


# (the stored moment, the level reached when it passes, the notification), in order
STEPS = (
    ("warn_at", SlaLevel.WARNED, NotificationKind.WARNING),
    ("due", SlaLevel.BREACHED, NotificationKind.BREACH),
    ("escalate_at", SlaLevel.ESCALATED, NotificationKind.ESCALATION),
)


def _pending(level: int, moments) -> list[tuple[dt.datetime, int]]:
    """(moment, level it brings) of a timer's stored moments (warning, due, escalation, in
    STEPS order) whose level the timer has not reached yet."""
    return [
        (at, reached)
        for at, (_moment, reached, _kind) in zip(moments, STEPS, strict=True)
        if at is not None and level < reached
    ]


def _timer_state(case: Case, name: str) -> tuple[int, list]:
    return getattr(case, f"{name}_level"), [getattr(case, f"{name}_{m}") for m, _l, _k in STEPS]


def next_moment(case: Case) -> dt.datetime | None:
    """The earliest stored moment of either timer not yet acted on."""
    moments = [at for name in TIMERS for at, _level in _pending(*_timer_state(case, name))]
    return min(moments) if moments else None


_NEVER = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


def next_moment_sql(after: dt.datetime | None = None):
    """`next_moment` as an SQL expression of the row (for an UPDATE of many cases), or with
    `after` the earliest such moment after it (as `evaluate` needs it, computed from the
    levels before they change); NULLs are kept out of LEAST, which is NULL on SQLite as soon
    as one argument is."""
    never = Value(_NEVER, output_field=DateTimeField())
    moments = [
        SqlCase(
            When(
                **{f"{name}_{moment}__isnull": False, f"{name}_level__lt": level},
                **({f"{name}_{moment}__gt": after} if after is not None else {}),
                then=F(f"{name}_{moment}"),
            ),
            default=never,
            output_field=DateTimeField(),
        )
        for name in TIMERS
        for moment, level, _kind in STEPS
    ]
    return NullIf(Least(*moments), never)


SLA_FIELDS = [
    f"{name}_{part}"
    for name in TIMERS
    for part in ("target", "used", "since", "warn_at", "due", "escalate_at")
] + ["policy", "sla_next_at"]


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
        case.sla_next_at = None
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


def _notify(notes: list[tuple[int, int, str]], at: dt.datetime) -> None:
    """(user, case, kind) notifications in statements of a few thousand rows, a repeated one
    skipped (`notify_once`). Written by hand: with 80,000 at once, Django's bulk_create spent
    more time composing the statement than the database spent on it."""
    from .models import Notification

    table = Notification._meta.db_table
    stamp = "%s::timestamptz" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        for start in range(0, len(notes), 5000):
            chunk = notes[start : start + 5000]
            rows = ", ".join(f"(%s, %s, %s, {stamp})" for _note in chunk)
            params = [value for note in chunk for value in (*note, at)]
            cursor.execute(
                f"INSERT INTO {table} (user_id, case_id, kind, created_at) VALUES {rows} "
                "ON CONFLICT DO NOTHING",
                adapt(params),
            )


def level_sql(name: str, now: dt.datetime):
    """The timer's level after `now` as an SQL expression of the row: the highest level
    whose stored moment has passed, never lower than the level it has (`_pending`)."""
    reached = SqlCase(
        *(
            When(**{f"{name}_{moment}__lte": now}, then=Value(int(level)))
            for moment, level, _kind in reversed(STEPS)
        ),
        default=Value(int(SlaLevel.OK)),
    )
    return Greatest(F(f"{name}_level"), reached)


def evaluate(now: dt.datetime | None = None, batch: int = 2000) -> dict[str, int]:
    """Act on every open case whose next stored SLA moment has passed: raise each timer to
    the highest level whose moment has passed and tell the people concerned once, for that
    level (at the warning the owner, or the owner team; at the breach the team lead; at the
    escalation the team's manager, or administrators): a case found late by hours is
    escalated, not warned, breached and escalated at once.

    The due cases' ids are read once (the index on `sla_next_at`), then a batch at a time:
    their levels are locked and read, raised by one UPDATE that computes the new levels and
    the next moment in SQL (`level_sql`, `next_moment_sql`), and read again to see who must
    be told. Safe to run twice or concurrently: the rows are locked, a case no longer due
    is not touched, and a notification is unique per case, kind and person. Measured with
    100,000 open cases all due at once: bench/cases.py."""
    from . import notify

    now = now or timezone.now()
    counts: dict[str, int] = {}
    kind_of = {level: kind for _moment, level, kind in STEPS}
    people = notify.People()
    open_statuses = list(OPEN_STATUSES)
    levels = {f"{name}_level": level_sql(name, now) for name in TIMERS}
    # The ids first: reading "the next 2,000 due" each time sorted every due case again.
    due = list(
        Case.objects.filter(sla_next_at__lte=now, status__in=open_statuses)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(due), batch):
        with transaction.atomic():
            before = {
                pk: rest
                for pk, *rest in Case.objects.select_for_update(of=("self",))
                .filter(
                    pk__in=due[start : start + batch],
                    sla_next_at__lte=now,
                    status__in=open_statuses,
                )
                .values_list(
                    "pk", "owner", "team", "team__lead", "team__manager",
                    *(f"{name}_level" for name in TIMERS),
                )
            }  # fmt: skip
            if not before:
                continue
            Case.objects.filter(pk__in=list(before)).update(
                **levels, sla_next_at=next_moment_sql(after=now)
            )
            after = Case.objects.filter(pk__in=list(before)).values_list(
                "pk", *(f"{name}_level" for name in TIMERS)
            )
            notes = []
            for pk, *new in after:
                owner, team, lead, manager, *old = before[pk]
                kinds = set()
                for name, was, level in zip(TIMERS, old, new, strict=True):
                    if level > was:
                        kinds.add(kind_of[level])
                        key = f"{name}:{kind_of[level]}"
                        counts[key] = counts.get(key, 0) + 1
                for kind in kinds:
                    told = notify.recipient_ids(
                        kind, owner=owner, team=team, lead=lead, manager=manager, people=people
                    )
                    notes += [(user, pk, kind) for user in told]
            _notify(notes, now)
    if counts:
        log.info("SLA evaluation: %s", counts)
    return counts
