"""Consent is read when a message goes out, not only when the invitation was made: every path
that contacts a customer (invitations by email and SMS, reminders, triggers) stops when the
customer withdrew consent on that channel or opted out in between."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from manyi.accounts.models import User
from manyi.analytics.models import ScheduledReport
from manyi.core import sms
from manyi.customers.models import ContactPoint, Customer
from manyi.surveys.models import Invitation
from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
from manyi.surveys.services.distribution import (
    distribution_create,
    invitation_opt_out,
    invitations_send_due,
    reminders_send,
    triggers_scan,
)
from tests.factories import ContactPointFactory, CustomerFactory, PurchaseFactory, TriggerFactory


@pytest.fixture(autouse=True)
def _sms_to_memory(settings):
    settings.MANYI_SMS_BACKEND = "manyi.core.sms.LocmemSmsBackend"
    settings.MANYI_CONTACT_MIN_DAYS = 0  # two invitations in a row are allowed here
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def survey(analyst):
    return survey_open(survey=survey_create_from_blueprint(user=analyst, key="csat_purchase"))


@pytest.fixture
def other_survey(analyst):
    return survey_open(survey=survey_create_from_blueprint(user=analyst, key="nps_relationship"))


@pytest.fixture
def customer(db):
    customer = CustomerFactory(consent_email=True, consent_sms=True)
    ContactPointFactory(customer=customer, kind="email", value="li@example.com")
    ContactPointFactory(customer=customer, kind="phone", value="13800001111")
    return customer


def invite(survey, user, customer, channel):
    distribution_create(
        survey=survey,
        user=user,
        channel=channel,
        customers=Customer.objects.filter(pk=customer.pk),
        filters={},
        seed=1,
    )
    return Invitation.objects.get(survey=survey, customer=customer, channel=channel)


def sent_to() -> list[str]:
    return [m.to[0] for m in mail.outbox] + [m["to"] for m in sms.outbox]


@pytest.mark.parametrize(("withdrawn", "kept"), [("email", "sms"), ("sms", "email")])
def test_consent_withdrawn_after_creation_stops_that_channel_only(
    survey, other_survey, analyst, customer, withdrawn, kept
):
    # given: one invitation on each channel, made while the customer consented to both
    stopped = invite(survey, analyst, customer, withdrawn)
    going = invite(other_survey, analyst, customer, kept)
    # when: consent on one channel is withdrawn before the sending job runs
    setattr(customer, f"consent_{withdrawn}", False)
    customer.save()
    invitations_send_due()
    # then: nothing goes out on that channel, the other still does
    stopped.refresh_from_db()
    going.refresh_from_db()
    assert stopped.status == "skipped" and stopped.sent_at is None
    assert going.status == "sent"
    assert sent_to() == [going.address]


def test_an_opt_out_stops_the_invitations_still_waiting_on_that_channel(
    survey, other_survey, analyst, customer
):
    # given: an invitation sent, and another one waiting for next week
    first = invite(survey, analyst, customer, "email")
    invitations_send_due()
    mail.outbox = []
    waiting = invite(other_survey, analyst, customer, "email")
    Invitation.objects.filter(pk=waiting.pk).update(
        send_after=timezone.now() + dt.timedelta(days=7)
    )
    # when: the customer follows the opt-out link of the first one
    invitation_opt_out(invitation=first)
    Invitation.objects.filter(pk=waiting.pk).update(send_after=timezone.now())
    invitations_send_due()
    # then
    waiting.refresh_from_db()
    assert waiting.status == "skipped" and mail.outbox == []
    assert Customer.objects.get(pk=customer.pk).consent_email is False


def test_no_reminder_after_consent_was_withdrawn_on_the_customer_record(survey, analyst, customer):
    # given: an SMS invitation sent five days ago on a survey that reminds after three
    survey.reminder_after_days = 3
    survey.save()
    invitation = invite(survey, analyst, customer, "sms")
    invitations_send_due()
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=5)
    )
    sms.outbox.clear()
    # when: staff record that the customer no longer accepts SMS
    customer.consent_sms = False
    customer.save()
    reminders_send()
    # then
    assert sms.outbox == []


def test_a_trigger_does_not_invite_without_consent_and_checks_it_again_when_sending(survey):
    # given: a purchase-delivered trigger and two customers, one without SMS consent
    trigger = TriggerFactory(
        survey=survey,
        channel="sms",
        delay_hours=1,
        active_since=timezone.now() - dt.timedelta(days=1),
    )
    refused = CustomerFactory(consent_sms=False)
    ContactPointFactory(customer=refused, kind="phone")
    willing = CustomerFactory(consent_sms=True)
    ContactPointFactory(customer=willing, kind="phone")
    for c in (refused, willing):
        PurchaseFactory(customer=c, delivered_at=timezone.now() - dt.timedelta(hours=2))
    # when
    assert triggers_scan() == 1
    # then: the refusing customer is not invited, and the reason is recorded
    assert not Invitation.objects.filter(customer=refused).exists()
    assert trigger.firings.get(customer=refused).outcome == "no_consent"
    # and the willing one withdraws before the message leaves: nothing is sent
    Customer.objects.filter(pk=willing.pk).update(consent_sms=False)
    invitations_send_due()
    assert Invitation.objects.get(customer=willing).status == "skipped"
    assert sms.outbox == []


def test_a_contact_removed_after_the_invitation_was_made_is_not_used(survey, analyst, customer):
    # given
    invite(survey, analyst, customer, "email")
    # when: the address is removed (the customer asked, or the retention policy ran)
    ContactPoint.objects.filter(customer=customer, kind="email").delete()
    invitations_send_due()
    # then
    assert mail.outbox == []


def test_scheduled_reports_only_go_to_staff():
    # Report mailings are addressed to user accounts, never to customers.
    field = ScheduledReport._meta.get_field("recipients")
    assert field.related_model is User
