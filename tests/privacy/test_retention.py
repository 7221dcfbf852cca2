"""The retention policy, on a clock the tests move: contact details of inactive customers and
old open-text answers are removed; customers, answers, scores and count tables stay."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from manyi.analytics import counts
from manyi.analytics.figures import headline
from manyi.analytics.models import AnswerRollup, ResponseRollup
from manyi.analytics.queries import Filters, Selector, answer_counts, response_totals
from manyi.customers.models import ContactPoint, Customer, Purchase
from manyi.privacy import retention, retention_tasks
from manyi.surveys.models import Answer, Invitation, Response
from manyi.surveys.services import design
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import (
    ContactPointFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    PurchaseFactory,
)

START = dt.datetime(2025, 1, 6, 2, 0, tzinfo=dt.UTC)
YEAR = dt.timedelta(days=365)


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(START)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def survey(analyst, clock):
    return design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )


def answer(survey, overall, *, customer=None, why_low="", invitation=None):
    response = response_start(
        survey=survey,
        channel="sms" if invitation else "link",
        language="en",
        customer=customer,
        invitation=invitation,
    )
    page1 = QueryDict(f"q__overall={overall}")
    response_save_page(response=response, page=1, data=page1)
    page2 = QueryDict(mutable=True)
    page2["q__repurchase"] = "4"
    if why_low:
        page2["q__why_low"] = why_low
    response_save_page(response=response, page=2, data=page2)
    assert response_submit(response=response).ok
    return response


def customer_with_contacts(**kwargs):
    customer = CustomerFactory(**kwargs)
    ContactPointFactory(customer=customer, kind="phone", value=f"1380000{customer.pk:04d}")
    ContactPointFactory(customer=customer, kind="email", value=f"c{customer.pk}@example.com")
    return customer


def figures():
    """Everything a dashboard shows for the survey numbers."""
    return (
        answer_counts(Filters(), Selector(("overall",))),
        answer_counts(Filters(), Selector(("overall",)), group_by="team"),
        answer_counts(Filters(), Selector(("repurchase",), options=True)),
        response_totals(Filters()),
        headline(Filters()),
        sorted(AnswerRollup.objects.values_list("question_code", "value", "option", "count")),
        sorted(ResponseRollup.objects.values_list("day", "valid", "count")),
    )


def test_contact_details_of_inactive_customers_are_removed(survey, clock, settings, team_east):
    # given: two customers who bought, were invited and answered at the start
    quiet = customer_with_contacts(team=team_east)
    busy = customer_with_contacts(team=team_east)
    for customer in (quiet, busy):
        PurchaseFactory(customer=customer, purchased_at=clock.now)
        invitation = InvitationFactory(
            survey=survey, customer=customer, channel="sms", sent_at=clock.now
        )
        answer(survey, 2, customer=customer, why_low="slow", invitation=invitation)
    counts.fill(now=clock.now + dt.timedelta(hours=1))
    # 400 days later, only `busy` bought again
    clock.advance(YEAR + dt.timedelta(days=35))
    PurchaseFactory(customer=busy, purchased_at=clock.now - dt.timedelta(days=3))
    counts.fill()
    before = figures()
    settings.MANYI_RETENTION_CONTACT_DAYS = 365
    # when
    result = retention.retention_apply()
    # then: the quiet customer's contact details are gone, nothing else of theirs
    assert (result.customers, result.contact_points, result.invitation_addresses) == (1, 2, 1)
    assert not ContactPoint.objects.filter(customer=quiet).exists()
    assert not Invitation.objects.filter(customer=quiet).exclude(address="").exists()
    assert Customer.objects.filter(pk=quiet.pk, name=quiet.name, team=team_east).exists()
    assert Purchase.objects.filter(customer=quiet).count() == 1
    assert Response.objects.filter(customer=quiet).count() == 1
    assert Answer.objects.filter(response__customer=quiet).count() == 3
    # the active customer keeps everything
    assert ContactPoint.objects.filter(customer=busy).count() == 2
    assert Invitation.objects.get(customer=busy).address != ""
    # open text is a separate limit, switched off
    assert result.answers == 0 and Answer.objects.filter(text="slow").count() == 2
    # and the figures did not move, nor after a rebuild of the count tables
    assert figures() == before
    counts.rebuild()
    assert figures() == before


@pytest.mark.parametrize(
    "activity",
    [
        "created",
        "purchased",
        "delivered",
        "returned",
        "interaction",
        "interaction_closed",
        "invited",
        "pending_invitation",
        "responded",
    ],
)
def test_any_recent_activity_keeps_the_contact_details(survey, clock, activity):
    # given: a customer known for two years whose last activity is `activity`
    old = clock.now
    clock.advance(2 * YEAR)
    recent = clock.now - dt.timedelta(days=30)
    customer = customer_with_contacts()
    if activity != "created":
        Customer.objects.filter(pk=customer.pk).update(created_at=old)
    if activity == "purchased":
        PurchaseFactory(customer=customer, purchased_at=recent)
    elif activity == "delivered":
        PurchaseFactory(customer=customer, purchased_at=old, delivered_at=recent)
    elif activity == "returned":
        PurchaseFactory(customer=customer, purchased_at=old, returned=True, returned_at=recent)
    elif activity == "interaction":
        InteractionFactory(customer=customer, occurred_at=recent)
    elif activity == "interaction_closed":
        InteractionFactory(customer=customer, occurred_at=old, closed_at=recent)
    elif activity == "invited":
        invitation = InvitationFactory(survey=survey, customer=customer, sent_at=recent)
        Invitation.objects.filter(pk=invitation.pk).update(created_at=old)
    elif activity == "pending_invitation":
        invitation = InvitationFactory(survey=survey, customer=customer, status="pending")
        Invitation.objects.filter(pk=invitation.pk).update(created_at=old, sent_at=None)
    elif activity == "responded":
        clock.now = recent
        answer(survey, 5, customer=customer)
        clock.now = recent + dt.timedelta(days=30)
    # when
    result = retention.contacts_remove_inactive(days=365)
    # then
    assert result.customers == 0
    assert ContactPoint.objects.filter(customer=customer).count() == 2
    # the same customer with all that activity long ago loses them (an invitation still
    # waiting to be sent is a contact to come, until it is sent or given up)
    clock.advance(2 * YEAR)
    Invitation.objects.filter(customer=customer, status="pending").update(status="skipped")
    assert retention.contacts_remove_inactive(days=365).customers == 1
    assert not ContactPoint.objects.filter(customer=customer).exists()


def test_old_open_text_is_cleared_and_the_answer_rows_stay(survey, clock, settings):
    # given: an open answer from the start and one 300 days later
    first = answer(survey, 1, why_low="送货太慢, call me on 13800001234")
    clock.advance(dt.timedelta(days=300))
    second = answer(survey, 2, why_low="box was damaged")
    clock.advance(dt.timedelta(days=100))
    counts.fill()
    before = figures()
    rows_before = Answer.objects.count()
    settings.MANYI_RETENTION_OPEN_TEXT_DAYS = 365
    # when
    result = retention.retention_apply()
    # then: only the answer older than a year lost its text, and says when
    assert result.answers == 1 and result.customers == 0
    cleared = Answer.objects.get(response=first, question__code="why_low")
    assert cleared.text == "" and cleared.redacted_at == clock.now
    kept = Answer.objects.get(response=second, question__code="why_low")
    assert kept.text == "box was damaged" and kept.redacted_at is None
    # rated answers are never touched; rows and figures are the same
    assert Answer.objects.get(response=first, question__code="overall").number == 1
    assert Answer.objects.count() == rows_before
    assert Response.objects.get(pk=first.pk).answered_count == 3
    assert figures() == before
    counts.rebuild()
    assert figures() == before


def test_running_again_changes_nothing(survey, clock):
    # given
    customer = customer_with_contacts()
    answer(survey, 1, customer=customer, why_low="late")
    clock.advance(2 * YEAR)
    first = retention.retention_apply(contact_days=365, open_text_days=365)
    assert (first.customers, first.answers) == (1, 1)
    redacted_at = Answer.objects.get(redacted_at__isnull=False).redacted_at
    # when: the next day, and again
    clock.advance(dt.timedelta(days=1))
    again = retention.retention_apply(contact_days=365, open_text_days=365)
    # then
    assert again == retention.RetentionResult()
    assert Answer.objects.get(redacted_at__isnull=False).redacted_at == redacted_at


def test_it_works_in_batches_until_everything_is_done(survey, clock):
    # given: more customers and answers than one batch
    customers = [customer_with_contacts() for _ in range(5)]
    for customer in customers:
        answer(survey, 2, customer=customer, why_low=f"text of {customer.pk}")
    clock.advance(2 * YEAR)
    # when
    result = retention.retention_apply(contact_days=365, open_text_days=365, batch_size=2)
    # then
    assert (result.customers, result.contact_points, result.answers) == (5, 10, 5)
    assert not ContactPoint.objects.exists()
    assert not Answer.objects.exclude(text="").exists()


def test_off_by_default(survey, clock, settings):
    # given: very old data, and the default settings
    settings.MANYI_RETENTION_CONTACT_DAYS = 0
    settings.MANYI_RETENTION_OPEN_TEXT_DAYS = 0
    customer_with_contacts()
    answer(survey, 1, why_low="old")
    clock.advance(10 * YEAR)
    # when
    result = retention.retention_apply()
    # then
    assert result == retention.RetentionResult()
    assert ContactPoint.objects.count() == 2 and Answer.objects.filter(text="old").exists()


def test_the_periodic_task_and_the_command_apply_the_settings(survey, clock, settings, capsys):
    # given
    assert ("manyi.privacy.retention_tasks.retention_apply", 86400) in (
        settings.MANYI_PERIODIC_TASKS
    )
    assert import_string("manyi.privacy.retention_tasks.retention_apply") is (
        retention_tasks.retention_apply
    )
    customer_with_contacts()
    answer(survey, 1, why_low="old")
    clock.advance(2 * YEAR)
    settings.MANYI_RETENTION_CONTACT_DAYS = 365
    # when: the task (as the worker runs it)
    done = retention_tasks.retention_apply.call()
    # then
    assert done == {"customers": 1, "contact_points": 2, "invitation_addresses": 0, "answers": 0}
    # the command with an explicit limit for open text
    call_command("apply_retention", open_text_days=365)
    out = capsys.readouterr().out
    assert "cleared 1 answers" in out and "365 days" in out
    assert not Answer.objects.exclude(text="").exists()


def test_the_response_page_says_the_text_was_removed(client, admin_user, survey, clock):
    # given
    response = answer(survey, 1, why_low="call me on 13800001234")
    clock.advance(2 * YEAR)
    retention.retention_apply(open_text_days=365)
    # when
    client.force_login(admin_user)
    page = client.get(reverse("surveys:response_detail", args=[response.pk]))
    # then
    assert page.status_code == 200
    assert "13800001234" not in page.text
    assert "(text removed under the retention policy)" in page.text
