"""Reads about surveys: the response funnel and counts, scoped by the user's access."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from manyi.metrics.quality import rate

from .choices import InvitationStatus, ResponseStatus
from .models import Invitation, Response, Survey


@dataclass(frozen=True)
class Funnel:
    """Invitation funnel (invited → valid) and all responses by channel."""

    invited: int
    delivered: int
    opened: int
    started: int
    completed: int
    valid: int
    # Every response, invited or not (public link, staff entry): {channel: (started, completed,
    # valid)}.
    by_channel: dict[str, tuple[int, int, int]]

    @property
    def response_rate(self) -> float | None:
        """METHODS.md: responses / invitations delivered."""
        return rate(self.completed, self.delivered)

    @property
    def all_completed(self) -> int:
        """Submitted responses over every channel (invited or not)."""
        return sum(c for _s, c, _v in self.by_channel.values())

    @property
    def all_valid(self) -> int:
        """Valid responses over every channel: the numerator of `valid_rate`."""
        return sum(v for _s, _c, v in self.by_channel.values())

    @property
    def valid_rate(self) -> float | None:
        """Valid responses / responses, over every channel."""
        return rate(self.all_valid, self.all_completed)

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [
            ("invited", self.invited),
            ("delivered", self.delivered),
            ("opened", self.opened),
            ("started", self.started),
            ("completed", self.completed),
            ("valid", self.valid),
        ]


def survey_funnel(*, survey: Survey, user) -> Funnel:
    invitations = Invitation.objects.visible_to(user).filter(survey=survey)
    inv = invitations.aggregate(
        invited=Count("pk"),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        started=Count("response"),
        completed=Count("response", filter=Q(response__status=ResponseStatus.SUBMITTED)),
        valid=Count("response", filter=Q(response__is_valid=True)),
    )
    rows = (
        Response.objects.visible_to(user)
        .filter(survey=survey)
        .values("channel")
        .annotate(
            started=Count("pk"),
            completed=Count("pk", filter=Q(status=ResponseStatus.SUBMITTED)),
            valid=Count("pk", filter=Q(is_valid=True)),
        )
        .order_by("channel")
    )
    by_channel = {r["channel"]: (r["started"], r["completed"], r["valid"]) for r in rows}
    return Funnel(**inv, by_channel=by_channel)


@dataclass(frozen=True)
class StatusChangeEffects:
    """What opening or closing a survey changes, in numbers, for the confirmation page."""

    questions: int
    version_locked: bool
    version_responses: int
    in_progress: int  # responses started and not submitted
    waiting_invitations: int  # not yet handed to a provider: skipped once closed
    unanswered_invitations: int  # sent, not answered: their links show "closed"


def status_change_effects(*, survey: Survey) -> StatusChangeEffects:
    version = survey.current_version
    responses = Response.objects.filter(survey=survey).aggregate(
        in_progress=Count("pk", filter=Q(status=ResponseStatus.IN_PROGRESS)),
        version_responses=Count("pk", filter=Q(version=version)),
    )
    invitations = Invitation.objects.filter(survey=survey).aggregate(
        waiting=Count(
            "pk", filter=Q(status__in=[InvitationStatus.PENDING, InvitationStatus.SENDING])
        ),
        unanswered=Count(
            "pk",
            filter=Q(status=InvitationStatus.SENT) & ~Q(response__status=ResponseStatus.SUBMITTED),
        ),
    )
    return StatusChangeEffects(
        questions=version.questions.count(),
        version_locked=version.locked_at is not None,
        version_responses=responses["version_responses"],
        in_progress=responses["in_progress"],
        waiting_invitations=invitations["waiting"],
        unanswered_invitations=invitations["unanswered"],
    )
