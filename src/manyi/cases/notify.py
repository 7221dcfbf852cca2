"""Who is told what about a case: notifications in the app, and by e-mail at once or in a
daily digest (each user's choice, `User.case_digest`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from manyi.accounts.choices import Role
from manyi.accounts.models import User

from .choices import NotificationKind
from .models import Case, Notification

log = logging.getLogger(__name__)


class People:
    """Team members and administrators, each read once per batch of notifications."""

    def __init__(self):
        self._members: dict[int, set[int]] = {}
        self._admins: set[int] | None = None

    def team(self, team_id: int | None) -> set[int]:
        if team_id is None:
            return set()
        if team_id not in self._members:
            self._members[team_id] = set(
                User.objects.filter(team_id=team_id, is_active=True)
                .exclude(role=Role.VIEWER)
                .values_list("pk", flat=True)
            )
        return set(self._members[team_id])

    def administrators(self) -> set[int]:
        if self._admins is None:
            self._admins = set(
                User.objects.filter(role=Role.ADMIN, is_active=True).values_list("pk", flat=True)
            )
        return set(self._admins)


def recipient_ids(
    kind: str, *, owner: int | None, team: int | None, lead: int | None, manager: int | None,
    people: People,
) -> set[int]:  # fmt: skip
    """The people told about a case: the owner (or, with none yet, the owner team's members)
    of a new or near-breach case; the team lead at a breach (and the owner); the team's
    manager at an escalation (administrators if the team has none, or no lead at a breach);
    the owner of a reopened or assigned case."""
    if kind in (NotificationKind.OPENED, NotificationKind.WARNING, NotificationKind.REOPENED):
        chosen = {owner} if owner else people.team(team)
    elif kind == NotificationKind.BREACH:
        chosen = {lead} if lead else people.administrators()
        if owner:
            chosen.add(owner)
    elif kind == NotificationKind.ESCALATION:
        chosen = {manager} if manager else people.administrators()
    elif kind == NotificationKind.ASSIGNED:
        chosen = {owner} if owner else set()
    else:
        chosen = set()
    chosen.discard(None)
    return chosen


def recipients(case: Case, kind: str, people: People | None = None) -> set[int]:
    team = case.team if case.team_id else None
    return recipient_ids(
        kind,
        owner=case.owner_id,
        team=case.team_id,
        lead=team.lead_id if team else None,
        manager=team.manager_id if team else None,
        people=people or People(),
    )


def tell(cases, kind: str, *, at: dt.datetime | None = None, skip: int | None = None) -> int:
    """Notify the recipients of each case (not `skip`, who did it). Each person is told once
    per case and kind (for kinds that happen once). E-mails go from the periodic task
    (`send_now`, every minute; `send_digest`, daily), never inside the request."""
    at = at or timezone.now()
    people = People()
    rows = [
        Notification(user_id=user, case=case, kind=kind, created_at=at)
        for case in cases
        for user in sorted(recipients(case, kind, people) - {skip})
    ]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)
    return len(rows)


def send_now(*, at: dt.datetime | None = None) -> int:
    """E-mail the notifications not yet sent of users who want them at once."""
    pending = Notification.objects.filter(
        emailed_at__isnull=True, read_at__isnull=True, user__case_digest=False
    ).exclude(user__email="")
    return _send(pending, at=at or timezone.now())


def send_digest(*, at: dt.datetime | None = None) -> int:
    """The daily digest: one e-mail per user with their unread notifications not yet sent."""
    pending = (
        Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True)
        .filter(Q(user__case_digest=True))
        .exclude(user__email="")
    )
    return _send(pending, at=at or timezone.now())


def _send(pending, *, at: dt.datetime) -> int:
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for note in pending.select_related("user", "case", "case__customer").order_by("pk")[:5000]:
        by_user[note.user_id].append(note)
    sent = 0
    for notes in by_user.values():
        user = notes[0].user
        with translation.override(settings.LANGUAGE_CODE):
            context = {"user": user, "notes": notes, "base_url": settings.MANYI_BASE_URL}
            subject = render_to_string("cases/email/notifications_subject.txt", context).strip()
            body = render_to_string("cases/email/notifications.txt", context)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        try:
            message.send()
        except Exception:  # the mail server is down: the next run tries again
            log.exception("notification e-mail to user %s failed", user.pk)
            continue
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=at)
        sent += 1
    return sent
