"""Opening, working and closing cases. Views and tasks call these; every change goes through
`_save`, which refuses a change made from a stale copy (optimistic locking) and records it
in the case's thread."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import interactions, notify, recovery, sla
from .choices import (
    OPEN_STATUSES,
    TRANSITIONS,
    CaseType,
    EntryKind,
    NotificationKind,
    Source,
    Status,
)
from .models import Case, CaseAttachment, CaseEntry


class CaseChanged(Exception):
    """Someone else changed the case since it was read: nothing was saved."""


class NotAllowed(Exception):
    """The change is not possible in the case's state (a status that cannot follow)."""


def repeat_window() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "MANYI_CASE_REPEAT_DAYS", 7))


@dataclass(frozen=True)
class Opened:
    case: Case
    joined: bool  # a repeat: added to the customer's open case about the same thing


def _repeat_of(customer, case_type: str, category, at: dt.datetime) -> Case | None:
    """The customer's open case of the same type and category opened within the window."""
    return (
        Case.objects.select_for_update()
        .filter(
            customer=customer,
            case_type=case_type,
            category=category,
            status__in=OPEN_STATUSES,
            opened_at__gte=at - repeat_window(),
        )
        .order_by("-opened_at")
        .first()
    )


@transaction.atomic
def case_open(
    *,
    customer,
    case_type: str,
    subject: str,
    description: str = "",
    severity: str | None = None,
    channel: str | None = None,
    source: str = Source.STAFF,
    category=None,
    purchase=None,
    response=None,
    answer=None,
    interaction=None,
    rule=None,
    team=None,
    owner=None,
    user=None,
    tags=(),
    at: dt.datetime | None = None,
) -> Opened:
    """A new case, or, for a repeat from the same customer about the same thing within the
    window, an entry in the open case. The team is the customer's unless given; the SLA
    timers start (the policy of the type and severity); the owner team is told when a case
    opens from a survey answer."""
    at = at or timezone.now()
    repeat = _repeat_of(customer, case_type, category, at)
    if repeat is not None:
        body = _("Again from the customer (%(source)s): %(text)s") % {
            "source": Source(source).label,
            "text": "\n".join(t for t in (subject, description) if t),
        }
        CaseEntry.objects.create(
            case=repeat, kind=EntryKind.SYSTEM, author=user, body=body, created_at=at
        )
        Case.objects.filter(pk=repeat.pk).update(version=F("version") + 1, updated_at=at)
        repeat.refresh_from_db()
        return Opened(repeat, True)
    case = Case(
        customer=customer,
        case_type=case_type,
        subject=subject[:200],
        description=description,
        source=source,
        category=category,
        purchase=purchase,
        response=response,
        answer=answer,
        interaction=interaction,
        rule=rule,
        team=team if team is not None else customer.team,
        owner=owner,
        opened_at=at,
        status=Status.ASSIGNED if owner else Status.NEW,
    )
    if severity:
        case.severity = severity
    if channel:
        case.channel = channel
    sla.start(case, at)
    case.save()
    if tags:
        case.tags.set(tags)
    CaseEntry.objects.create(
        case=case,
        kind=EntryKind.STATUS,
        author=user,
        status_to=case.status,
        created_at=at,
        body=Source(source).label,
    )
    if source == Source.SURVEY and case_type == CaseType.COMPLAINT:
        notify.tell([case], NotificationKind.OPENED, at=at, skip=getattr(user, "pk", None))
    elif owner is not None:
        notify.tell([case], NotificationKind.ASSIGNED, at=at, skip=getattr(user, "pk", None))
    return Opened(case, False)


def _save(case: Case, version: int, fields: list[str]) -> None:
    """Write `fields` (and the next version) if the case is still at `version`."""
    values = {name: getattr(case, name) for name in fields}
    values["version"] = version + 1
    values["updated_at"] = timezone.now()
    if not Case.objects.filter(pk=case.pk, version=version).update(**values):
        raise CaseChanged
    case.version = version + 1


EDITABLE = ["case_type", "category", "severity", "channel", "subject", "description", "team"]


@transaction.atomic
def case_edit(case: Case, *, version: int, user, changes: dict, tags=None) -> Case:
    """Change the case's fields; a new type or severity takes its policy's targets (the
    working time used so far is kept)."""
    before = {name: getattr(case, name) for name in EDITABLE}
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ValueError(name)
        setattr(case, name, value)
    changed = [name for name in EDITABLE if getattr(case, name) != before[name]]
    fields = list(changed)
    if {"case_type", "severity"} & set(changed):
        sla.retarget(case, timezone.now())
        fields += sla.SLA_FIELDS
    _save(case, version, fields)
    if tags is not None:
        case.tags.set(tags)
    if changed:
        labels = ", ".join(str(Case._meta.get_field(name).verbose_name) for name in changed)
        CaseEntry.objects.create(
            case=case, kind=EntryKind.SYSTEM, author=user, body=_("Changed: %s") % labels
        )
    return case


@transaction.atomic
def case_assign(case: Case, *, version: int, user, owner) -> Case:
    """Give the case to `owner` (who is told); a new case becomes assigned."""
    before = case.status
    case.owner = owner
    fields = ["owner"]
    if case.status == Status.NEW and owner is not None:
        case.status = Status.ASSIGNED
        fields.append("status")
    _save(case, version, fields)
    CaseEntry.objects.create(
        case=case,
        kind=EntryKind.STATUS if case.status != before else EntryKind.SYSTEM,
        author=user,
        status_from=before if case.status != before else "",
        status_to=case.status if case.status != before else "",
        body=_("Assigned to %s") % owner if owner else _("No owner"),
    )
    if owner is not None:
        notify.tell([case], NotificationKind.ASSIGNED, skip=getattr(user, "pk", None))
    return case


@transaction.atomic
def case_status(
    case: Case,
    *,
    version: int,
    user,
    status: str,
    note: str = "",
    root_cause: str | None = None,
    resolution: str | None = None,
    at: dt.datetime | None = None,
    from_customer: bool = False,
) -> Case:
    """Move the case to `status` (it must be allowed to follow the current one): the SLA
    timers follow (`sla.follow`); resolving records root cause and what was done; reopening
    counts and tells the owner."""
    at = at or timezone.now()
    before = case.status
    if status not in TRANSITIONS.get(Status(before), ()):
        raise NotAllowed(
            _("A case that is “%(before)s” cannot become “%(after)s”.")
            % {"before": Status(before).label, "after": Status(status).label}
        )
    case.status = status
    fields = ["status", *sla.SLA_FIELDS]
    if status == Status.RESOLVED:
        case.resolved_at = at
        if root_cause is not None:
            case.root_cause = root_cause
        if resolution is not None:
            case.resolution = resolution
        fields += ["resolved_at", "root_cause", "resolution"]
    elif status == Status.CLOSED:
        case.closed_at = at
        fields.append("closed_at")
    elif status == Status.REOPENED:
        case.reopened_count += 1
        case.resolved_at = case.closed_at = None
        fields += ["reopened_count", "resolved_at", "closed_at"]
    sla.follow(case, before, at)
    _save(case, version, fields)
    CaseEntry.objects.create(
        case=case,
        kind=EntryKind.STATUS,
        author=user,
        status_from=before,
        status_to=status,
        body=note,
        created_at=at,
    )
    if status == Status.REOPENED:
        notify.tell([case], NotificationKind.REOPENED, at=at, skip=getattr(user, "pk", None))
        if not from_customer:
            recovery.cancel(case)
    elif status == Status.RESOLVED:
        recovery.schedule(case, at)
    interactions.mirror(case)
    return case


@transaction.atomic
def case_note(
    case: Case,
    *,
    user,
    body: str,
    kind: str = EntryKind.NOTE,
    reply_channel: str = "",
    files=(),
    at: dt.datetime | None = None,
) -> CaseEntry:
    """An internal note, or a reply to the customer (the first one stops the first-response
    timer and moves a new or assigned case to in progress). Attachments are checked by the
    form (`forms.check_attachment`) and stored privately."""
    at = at or timezone.now()
    entry = CaseEntry.objects.create(
        case=case,
        kind=kind,
        author=user,
        body=body,
        reply_channel=reply_channel if kind == EntryKind.REPLY else "",
        created_at=at,
    )
    for upload in files:
        CaseAttachment.objects.create(
            entry=entry,
            file=upload,
            name=upload.name[:200],
            size=upload.size,
            content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        )
    if kind == EntryKind.REPLY:
        locked = Case.objects.select_for_update().get(pk=case.pk)
        fields = []
        if locked.first_response_at is None:
            sla.responded(locked, at)
            fields += ["first_response_at", *sla.SLA_FIELDS]
        if locked.status in (Status.NEW, Status.ASSIGNED, Status.REOPENED):
            before = locked.status
            locked.status = Status.IN_PROGRESS
            sla.follow(locked, before, at)
            fields += ["status", *sla.SLA_FIELDS]
        if fields:
            _save(locked, locked.version, sorted(set(fields)))
        case.refresh_from_db()
    else:
        Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=at)
        case.refresh_from_db()
    return entry
