"""The recovery survey: a set time after a case is resolved (24 h by default), the customer
is asked "Is your problem solved?" and "How satisfied are you with how we handled it?". It is
an ordinary invitation of the follow-up survey (`surveys` blueprint "case_recovery"), so it
obeys consent and the contact cap (the survey whose answer opened the case apart) and is
sent, retried and answered like any other. A "no"
or a handling score of 1-2 reopens the case and tells its owner; otherwise the case closes."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.customers.models import Customer
from manyi.surveys.choices import InvitationChannel, InvitationStatus, SurveyStatus
from manyi.surveys.models import Answer, Invitation, Response, Survey
from manyi.surveys.services import design
from manyi.surveys.services.distribution import eligible_customers

from .choices import EntryKind, Status
from .models import Case, CaseEntry

log = logging.getLogger(__name__)

BLUEPRINT = "case_recovery"
LOW_HANDLING = 2
REASONS = {
    "no_consent": gettext_lazy("the customer has not agreed to be contacted by e-mail or SMS"),
    "no_contact": gettext_lazy("the customer has no e-mail address or mobile number"),
    "contacted_recently": gettext_lazy(
        "the customer was invited to a survey recently (contact cap)"
    ),
}


def delay() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "MANYI_CASE_RECOVERY_HOURS", 24))


def survey() -> Survey:
    """The follow-up survey (created and opened from its blueprint the first time)."""
    found = Survey.objects.filter(blueprint=BLUEPRINT).order_by("pk").first()
    if found is None:
        with translation.override(settings.LANGUAGE_CODE):
            found = design.survey_create_from_blueprint(user=None, key=BLUEPRINT)
    if found.status != SurveyStatus.OPEN:
        found = design.survey_open(survey=found)
    return found


def schedule(case: Case, resolved_at: dt.datetime) -> Invitation | None:
    """Invite the customer to the follow-up survey `delay()` after the resolution, by e-mail
    or else SMS, if consent and the contact cap allow; the thread says which."""
    follow_up = survey()
    customers = Customer.objects.filter(pk=case.customer_id)
    reasons = []
    for channel in (InvitationChannel.EMAIL, InvitationChannel.SMS):
        result = eligible_customers(
            survey=follow_up,
            channel=channel,
            customers=customers,
            once_per_survey=False,
            # The survey whose answer opened the case does not count toward the contact cap:
            # the follow-up belongs to the same conversation.
            cap_besides=case.response.invitation_id if case.response_id else None,
        )
        if case.customer_id in result.eligible:
            invitation = Invitation.objects.create(
                survey=follow_up,
                customer_id=case.customer_id,
                purchase=case.purchase,
                channel=channel,
                address=result.eligible[case.customer_id],
                language=case.customer.language or settings.LANGUAGE_CODE,
                send_after=resolved_at + delay(),
            )
            Case.objects.filter(pk=case.pk).update(recovery_invitation=invitation)
            case.recovery_invitation = invitation
            CaseEntry.objects.create(
                case=case,
                kind=EntryKind.SYSTEM,
                created_at=resolved_at,
                body=_("Follow-up survey by %(channel)s on %(when)s.")
                % {
                    "channel": invitation.get_channel_display(),
                    "when": timezone.localtime(invitation.send_after).strftime("%Y-%m-%d %H:%M"),
                },
            )
            return invitation
        reasons += [str(REASONS[r]) for r, n in result.excluded.items() if n and r in REASONS]
    CaseEntry.objects.create(
        case=case,
        kind=EntryKind.SYSTEM,
        created_at=resolved_at,
        body=_("No follow-up survey: %(reasons)s.")
        % {"reasons": "; ".join(dict.fromkeys(reasons))},
    )
    return None


def cancel(case: Case) -> None:
    """A case reopened by staff before its follow-up went out: the survey is not sent."""
    if case.recovery_invitation_id:
        Invitation.objects.filter(
            pk=case.recovery_invitation_id, status=InvitationStatus.PENDING
        ).update(status=InvitationStatus.SKIPPED, error="case reopened")


def on_response(response: Response) -> Case | None:
    """A follow-up answered: record it on the case; "no" or a low score reopens the case
    and tells the owner, otherwise the case closes."""
    from . import services

    if response.invitation_id is None:
        return None
    case = Case.objects.filter(recovery_invitation_id=response.invitation_id).first()
    if case is None:
        return None
    answers = {
        a.question.code: a
        for a in Answer.objects.filter(response=response).select_related("question")
    }
    solved_answer = answers.get("solved")
    solved = None if solved_answer is None else ("no" not in (solved_answer.choices or []))
    handling = answers.get("handling")
    score = handling.number if handling is not None else None
    comment = answers["comment"].text if "comment" in answers else ""
    Case.objects.filter(pk=case.pk).update(recovery_solved=solved, recovery_score=score)
    case.refresh_from_db()
    summary = _("Follow-up answered: solved %(solved)s, handling %(score)s of 5.") % {
        "solved": _("yes") if solved else _("no"),
        "score": score if score is not None else "—",
    }
    if comment:
        summary += "\n" + comment
    at = response.submitted_at or timezone.now()
    with transaction.atomic():
        if solved is False or (score is not None and score <= LOW_HANDLING):
            if case.status in (Status.RESOLVED, Status.CLOSED):
                services.case_status(
                    case, version=case.version, user=None, status=Status.REOPENED,
                    note=summary, at=at, from_customer=True,
                )  # fmt: skip
            else:
                CaseEntry.objects.create(case=case, kind=EntryKind.SYSTEM, body=summary)
        elif case.status == Status.RESOLVED:
            services.case_status(
                case, version=case.version, user=None, status=Status.CLOSED, note=summary, at=at
            )
        else:
            CaseEntry.objects.create(case=case, kind=EntryKind.SYSTEM, body=summary)
    return case
