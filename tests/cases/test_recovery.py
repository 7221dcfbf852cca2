"""The recovery survey: a day after a case is resolved the customer is asked whether the
problem is solved and how it was handled; "no" or a low score reopens the case and tells its
owner, otherwise the case closes. It obeys consent and the contact cap."""

import datetime as dt
from unittest import mock

import pytest
from django.http import QueryDict
from django.utils import timezone

from manyi.cases import recovery, services
from manyi.cases.choices import CaseType, EntryKind, NotificationKind, Status
from manyi.cases.models import Case, Notification
from manyi.surveys.choices import InvitationStatus
from manyi.surveys.services.distribution import invitations_send_due
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import ContactPointFactory, CustomerFactory


@pytest.fixture
def resolved(agent):
    customer = CustomerFactory(team=agent.team, consent_email=True, language="en")
    ContactPointFactory(customer=customer, kind="email", value="li@example.com")
    case = services.case_open(
        customer=customer, case_type=CaseType.COMPLAINT, subject="Broken", owner=agent
    ).case
    return services.case_status(
        case, version=case.version, user=agent, status=Status.RESOLVED, resolution="Replaced"
    )


def _answer(case, solved: str, handling: int):
    invitation = case.recovery_invitation
    response = response_start(
        survey=invitation.survey, channel="email", language="en", invitation=invitation
    )
    response_save_page(
        response=response, page=1, data=QueryDict(f"q__solved={solved}&q__handling={handling}")
    )
    response_submit(response=response)
    case.refresh_from_db()
    return case


def test_the_follow_up_goes_out_a_day_after_the_resolution(resolved, mailoutbox):
    invitation = resolved.recovery_invitation
    assert invitation.channel == "email" and invitation.address == "li@example.com"
    assert invitation.send_after == resolved.resolved_at + dt.timedelta(hours=24)
    invitations_send_due()
    assert mailoutbox == []  # not yet
    later = timezone.now() + dt.timedelta(hours=25)
    with mock.patch("django.utils.timezone.now", return_value=later):
        invitations_send_due()
    assert len(mailoutbox) == 1 and "Is your problem solved?" in mailoutbox[0].subject + str(
        mailoutbox[0].body
    )


def test_a_no_reopens_the_case_and_tells_its_owner(resolved, agent):
    case = _answer(resolved, "no", 4)
    assert case.status == Status.REOPENED and case.reopened_count == 1
    assert case.recovery_solved is False and case.recovery_score == 4
    assert Notification.objects.filter(user=agent, case=case, kind=NotificationKind.REOPENED)
    assert case.resolution_due is not None  # its clock runs again


def test_a_low_score_reopens_too_and_a_good_answer_closes_the_case(resolved, agent):
    assert _answer(resolved, "yes", 2).status == Status.REOPENED
    other = CustomerFactory(team=agent.team, consent_email=True)
    ContactPointFactory(customer=other, kind="email", value="ok@example.com")
    case = services.case_open(customer=other, case_type=CaseType.COMPLAINT, subject="x").case
    case = services.case_status(
        case, version=case.version, user=agent, status=Status.RESOLVED, resolution="Done"
    )
    case = _answer(case, "yes", 5)
    assert case.status == Status.CLOSED and case.recovery_solved and case.recovery_score == 5


def test_no_follow_up_without_consent_or_within_the_contact_cap(agent):
    customer = CustomerFactory(team=agent.team)  # no consent
    ContactPointFactory(customer=customer, kind="email", value="no@example.com")
    case = services.case_open(customer=customer, case_type=CaseType.COMPLAINT, subject="x").case
    case = services.case_status(
        case, version=case.version, user=agent, status=Status.RESOLVED, resolution="Done"
    )
    assert case.recovery_invitation is None
    note = case.entries.filter(kind=EntryKind.SYSTEM).last().body
    assert "not agreed to be contacted" in note
    # reopened by staff before the follow-up went out: it is not sent
    customer = CustomerFactory(team=agent.team, consent_email=True)
    ContactPointFactory(customer=customer, kind="email", value="yes@example.com")
    case = services.case_open(customer=customer, case_type=CaseType.COMPLAINT, subject="y").case
    case = services.case_status(
        case, version=case.version, user=agent, status=Status.RESOLVED, resolution="Done"
    )
    services.case_status(case, version=case.version, user=agent, status=Status.REOPENED)
    case.recovery_invitation.refresh_from_db()
    assert case.recovery_invitation.status == InvitationStatus.SKIPPED
    # and the contact cap: another case of the same customer resolved while the first
    # follow-up waits to be sent invites no one
    case = Case.objects.get(pk=case.pk)
    case = services.case_status(
        case, version=case.version, user=agent, status=Status.RESOLVED, resolution="Again"
    )
    assert case.recovery_invitation.status == InvitationStatus.PENDING
    second = services.case_open(customer=customer, case_type=CaseType.SUGGESTION, subject="z").case
    second = services.case_status(
        second, version=second.version, user=agent, status=Status.RESOLVED, resolution="Ok"
    )
    assert second.recovery_invitation is None
    assert "recently" in second.entries.filter(kind=EntryKind.SYSTEM).last().body
    assert recovery.survey().blueprint == "case_recovery"
