"""Cases: opened from a detractor's answer, joined by a repeat, worked with optimistic
locking, and their SLA timers in working hours: warnings, breaches and escalations fire at
the right working moment across a night, a weekend and a public holiday."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict

from manyi.accounts.choices import Role
from manyi.cases import notify, services, sla
from manyi.cases.calendars import add_china_holidays, default_calendar
from manyi.cases.choices import (
    CaseType,
    EntryKind,
    NotificationKind,
    RuleKind,
    Severity,
    SlaLevel,
    Status,
)
from manyi.cases.models import Case, CaseRule, Notification
from manyi.surveys.services import design
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import CustomerFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def clock(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture(autouse=True)
def calendar_2026(db):
    add_china_holidays(default_calendar(), 2026)


@pytest.fixture
def people(team_east, agent):
    lead = UserFactory(username="lead_east", role=Role.AGENT, team=team_east)
    manager = UserFactory(username="manager", role=Role.ANALYST)
    team_east.lead, team_east.manager = lead, manager
    team_east.save()
    return {"agent": agent, "lead": lead, "manager": manager}


@pytest.fixture
def nps_survey(analyst):
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="nps_relationship")
    )
    CaseRule.objects.create(survey=survey, kind=RuleKind.NPS_DETRACTOR, severity=Severity.NORMAL)
    return survey


def answer_nps(survey, customer, score, reason=""):
    response = response_start(survey=survey, channel="link", language="en", customer=customer)
    response_save_page(response=response, page=1, data=QueryDict(f"q__nps={score}"))
    if reason:
        response_save_page(response=response, page=2, data=QueryDict(f"q__nps_reason={reason}"))
    response_submit(response=response)
    return response


def test_a_detractor_answer_opens_a_complaint_case_and_tells_its_team(nps_survey, people):
    customer = CustomerFactory(team=people["agent"].team)
    with clock(at(2026, 12, 4, 17)):  # Friday 17:00
        response = answer_nps(nps_survey, customer, 3, reason="Late and rude")
        answer_nps(nps_survey, CustomerFactory(team=people["agent"].team), 9)  # a promoter
    case = Case.objects.get()
    assert (case.customer, case.response, case.case_type) == (customer, response, "complaint")
    assert case.answer.number == 3 and case.description == "Late and rude"
    assert case.team == people["agent"].team and case.status == Status.NEW
    assert case.subject == "NPS 3 in “Would you recommend us?”"
    # complaint, normal: first response within 4 working hours: 1 h on Friday, 3 on Monday
    assert case.response_due == at(2026, 12, 7, 12)
    assert case.response_warn_at == at(2026, 12, 7, 11)
    # the owner team (no owner yet) is told; viewers and other teams are not
    opened = Notification.objects.filter(kind=NotificationKind.OPENED)
    told = set(opened.values_list("user__username", flat=True))
    assert told == {"agent_east", "lead_east"}


def test_a_repeat_within_the_window_joins_the_open_case(nps_survey, people):
    customer = CustomerFactory(team=people["agent"].team)
    with clock(at(2026, 12, 1, 10)):
        answer_nps(nps_survey, customer, 2)
    with clock(at(2026, 12, 3, 10)):
        answer_nps(nps_survey, customer, 4, reason="Still waiting")
    case = Case.objects.get()
    assert case.entries.filter(kind=EntryKind.SYSTEM, body__contains="Still waiting").exists()
    with clock(at(2026, 12, 20, 10)):  # after the window: a new case
        answer_nps(nps_survey, customer, 1)
    assert Case.objects.count() == 2


def test_anonymous_and_passive_answers_open_nothing(nps_survey, people):
    answer_nps(nps_survey, None, 0)
    answer_nps(nps_survey, CustomerFactory(), 7)
    assert not Case.objects.exists()


def _complaint(customer, moment, **kwargs):
    with clock(moment):
        return services.case_open(
            customer=customer,
            case_type=CaseType.COMPLAINT,
            subject="Broken on arrival",
            severity=Severity.NORMAL,
            **kwargs,
        ).case


def _levels(case):
    case.refresh_from_db()
    return case.response_level, case.resolution_level


def test_sla_warning_breach_and_escalation_across_the_national_day_holiday(people):
    customer = CustomerFactory(team=people["agent"].team)
    # Wednesday 30 September 16:00; 1-7 October are public holidays
    case = _complaint(customer, at(2026, 9, 30, 16), owner=people["agent"])
    Notification.objects.all().delete()
    # first response: 4 working hours -> warning after 3 (2 h on the 30th, 1 h on 8 October)
    assert case.response_warn_at == at(2026, 10, 8, 10)
    assert case.response_due == at(2026, 10, 8, 11)
    assert case.response_escalate_at == at(2026, 10, 8, 14)  # 6 h: lunch 12-13 skipped
    sla.evaluate(at(2026, 10, 5, 12))  # a holiday: nothing is due
    assert _levels(case) == (SlaLevel.OK, SlaLevel.OK)
    sla.evaluate(at(2026, 10, 8, 9, 59))
    assert _levels(case) == (SlaLevel.OK, SlaLevel.OK)
    sla.evaluate(at(2026, 10, 8, 10))
    assert _levels(case) == (SlaLevel.WARNED, SlaLevel.OK)
    assert set(Notification.objects.values_list("user__username", "kind")) == {
        ("agent_east", NotificationKind.WARNING)
    }
    sla.evaluate(at(2026, 10, 8, 11))
    assert _levels(case)[0] == SlaLevel.BREACHED
    assert ("lead_east", NotificationKind.BREACH) in set(
        Notification.objects.values_list("user__username", "kind")
    )
    sla.evaluate(at(2026, 10, 8, 14))
    sla.evaluate(at(2026, 10, 8, 14))  # twice: told once
    assert _levels(case)[0] == SlaLevel.ESCALATED
    assert Notification.objects.filter(user__username="manager", kind="escalation").count() == 1


def test_a_night_and_a_weekend_and_the_first_reply_stops_the_response_clock(people):
    customer = CustomerFactory(team=people["agent"].team)
    case = _complaint(customer, at(2026, 12, 4, 17, 30), owner=people["agent"])  # Friday
    # 0.5 h on Friday, then Monday 09:00: warning after 3 h, breach after 4 h
    assert case.response_warn_at == at(2026, 12, 7, 11, 30)
    assert case.response_due == at(2026, 12, 7, 13, 30)  # lunch skipped
    with clock(at(2026, 12, 7, 9, 15)):
        services.case_note(case, user=people["agent"], body="Sorry!", kind=EntryKind.REPLY)
    case.refresh_from_db()
    assert case.first_response_at == at(2026, 12, 7, 9, 15)
    assert case.response_due is None and case.status == Status.IN_PROGRESS
    assert case.response_used == dt.timedelta(minutes=45)
    sla.evaluate(at(2026, 12, 8, 9))
    assert _levels(case) == (SlaLevel.OK, SlaLevel.OK)


def test_waiting_for_the_customer_pauses_the_resolution_clock(people):
    customer = CustomerFactory(team=people["agent"].team)
    case = _complaint(customer, at(2026, 12, 1, 9), owner=people["agent"])  # Tuesday
    assert case.resolution_due == at(2026, 12, 3, 18)  # 24 working hours: three days
    with clock(at(2026, 12, 1, 17)):  # 7 working hours used: 09-12 and 13-17
        case = services.case_status(
            case, version=case.version, user=people["agent"], status=Status.WAITING
        )
    assert case.resolution_due is None and case.resolution_used == dt.timedelta(hours=7)
    sla.evaluate(at(2026, 12, 10, 9))
    assert _levels(case) == (SlaLevel.OK, SlaLevel.OK)
    with clock(at(2026, 12, 10, 9)):  # the customer answered a week later
        case = services.case_status(
            case, version=case.version, user=people["agent"], status=Status.IN_PROGRESS
        )
    # 17 h left: 8 on Thursday, 8 on Friday, 1 on Monday
    assert case.resolution_due == at(2026, 12, 14, 10)


def test_two_agents_editing_one_case_never_overwrite_each_other(people):
    customer = CustomerFactory(team=people["agent"].team)
    case = _complaint(customer, at(2026, 12, 1, 9))
    mine, theirs = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    services.case_edit(mine, version=mine.version, user=people["agent"], changes={"subject": "A"})
    with pytest.raises(services.CaseChanged):
        services.case_edit(
            theirs, version=theirs.version, user=people["lead"], changes={"subject": "B"}
        )
    case.refresh_from_db()
    assert case.subject == "A"


def test_statuses_follow_the_workflow_and_reopening_counts(people):
    customer = CustomerFactory(team=people["agent"].team)
    case = _complaint(customer, at(2026, 12, 1, 9), owner=people["agent"])
    user = people["agent"]
    case = services.case_status(
        case,
        version=case.version,
        user=user,
        status=Status.RESOLVED,
        root_cause="Courier",
        resolution="Sent a new one",
    )
    assert case.resolved_at is not None and case.resolution_due is None
    with pytest.raises(services.NotAllowed):
        services.case_status(case, version=case.version, user=user, status=Status.WAITING)
    case = services.case_status(case, version=case.version, user=user, status=Status.REOPENED)
    assert case.reopened_count == 1 and case.resolution_due is not None
    assert (
        Notification.objects.filter(kind=NotificationKind.REOPENED).exists() is False
    )  # owner did it


def test_a_case_found_late_after_an_outage_is_escalated_not_warned_breached_and_escalated(
    people,
):
    customer = CustomerFactory(team=people["agent"].team)
    case = _complaint(customer, at(2026, 12, 1, 9), owner=people["agent"])
    Notification.objects.all().delete()
    assert case.sla_next_at == case.response_warn_at
    sla.evaluate(at(2026, 12, 21, 9))  # the scheduler was down for weeks
    assert _levels(case) == (SlaLevel.ESCALATED, SlaLevel.ESCALATED)
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {NotificationKind.ESCALATION}
    case.refresh_from_db()
    assert case.sla_next_at is None  # nothing left to act on
    assert sla.evaluate(at(2026, 12, 22, 9)) == {}


def test_a_case_changed_while_being_evaluated_is_not_overwritten_nor_notified(people):
    """The evaluation reads the due cases' ids first, then works them a batch at a time: a
    case resolved in between (here while the first batch tells its people) is left as it
    is, and nobody is told about it."""
    customer = CustomerFactory(team=people["agent"].team)
    first = _complaint(customer, at(2026, 9, 30, 16), owner=people["agent"])
    second = _complaint(CustomerFactory(team=customer.team), at(2026, 9, 30, 16))
    Notification.objects.all().delete()
    real = notify.recipient_ids

    def resolve_the_second(*args, **kwargs):
        Case.objects.filter(pk=second.pk).update(status=Status.RESOLVED, sla_next_at=None)
        return real(*args, **kwargs)

    with mock.patch.object(notify, "recipient_ids", resolve_the_second):
        counts = sla.evaluate(at(2026, 10, 8, 14), batch=1)
    assert counts == {"response:escalation": 1}
    second.refresh_from_db()
    assert (second.status, second.sla_next_at) == (Status.RESOLVED, None)
    assert _levels(second) == (SlaLevel.OK, SlaLevel.OK)
    assert set(Notification.objects.values_list("case_id", flat=True)) == {first.pk}
