"""Every complaint recorded as an interaction becomes a case linked to it (the case is the
one source of truth of how a complaint stands from now on). Closed complaints become resolved
cases; open ones get the SLA timers of a normal complaint, started when they happened."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

OPEN_OUTCOMES = ("open", "escalated")


def _calendar(apps):
    from manyi.worktime import Calendar, Span

    stored = apps.get_model("cases", "BusinessCalendar").objects.filter(is_default=True).first()
    if stored is None:
        return None
    hours = {}
    for row in apps.get_model("cases", "WorkingHours").objects.filter(calendar=stored):
        hours.setdefault(row.weekday, []).append(Span(row.start, row.end))
    days = list(apps.get_model("cases", "CalendarDay").objects.filter(calendar=stored))
    return Calendar(
        ZoneInfo(stored.time_zone),
        {w: tuple(sorted(s, key=lambda x: x.start)) for w, s in hours.items()},
        frozenset(d.day for d in days if not d.working),
        {d.day: 0 for d in days if d.working},
    )


def forward(apps, schema_editor):
    from manyi.worktime.sla import Timer

    interaction = apps.get_model("customers", "Interaction")
    case = apps.get_model("cases", "Case")
    entry = apps.get_model("cases", "CaseEntry")
    policy = apps.get_model("cases", "SlaPolicy").objects.filter(
        case_type="complaint", severity="normal"
    ).first()
    calendar = _calendar(apps)
    complaints = interaction.objects.filter(kind="complaint", case__isnull=True).order_by("pk")
    batch = []

    def flush():
        created = case.objects.bulk_create(batch)
        entry.objects.bulk_create(
            entry(case=c, kind="status", status_to=c.status, created_at=c.opened_at,
                  body="Interaction record")
            for c in created
        )  # fmt: skip
        batch.clear()

    for item in complaints.iterator(chunk_size=2000):
        is_open = item.outcome in OPEN_OUTCOMES
        new = case(
            case_type="complaint",
            severity="normal",
            channel=item.channel,
            source="interaction",
            status=("assigned" if item.handled_by_id else "new") if is_open else "resolved",
            subject=(item.subject or (item.content or "").strip().split("\n")[0] or "Complaint")[
                :200
            ],
            description=item.content,
            customer_id=item.customer_id,
            interaction_id=item.pk,
            owner_id=item.handled_by_id,
            team_id=item.team_id,
            opened_at=item.occurred_at,
            resolved_at=None if is_open else (item.closed_at or item.occurred_at),
            resolution="" if is_open else (item.outcome_note or item.outcome),
        )
        if is_open and policy is not None and calendar is not None:
            new.policy = policy
            for name, hours in (
                ("response", policy.first_response_hours),
                ("resolution", policy.resolution_hours),
            ):
                timer = Timer.start(dt.timedelta(hours=float(hours)), item.occurred_at)
                setattr(new, f"{name}_target", timer.target)
                setattr(new, f"{name}_since", timer.running_since)
                setattr(new, f"{name}_warn_at", timer.moment(calendar, 0.75))
                setattr(new, f"{name}_due", timer.moment(calendar, 1.0))
                setattr(new, f"{name}_escalate_at", timer.moment(calendar, 1.5))
        batch.append(new)
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_defaults"),
        ("customers", "0002_import_jobs_in_background_private_files"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
