"""Sending an invitation in recorded attempts: the attempt before the provider is called, the
acceptance after, one idempotency key per message, retries with back-off, stale attempts made
again. (tests/surveys/test_send_kill.py kills real workers.)"""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from manyi.core import sms
from manyi.customers.models import Customer
from manyi.surveys.choices import InvitationStatus
from manyi.surveys.models import Invitation
from manyi.surveys.services import distribution
from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
from manyi.surveys.services.distribution import (
    distribution_create,
    idempotency_key,
    invitation_send,
    invitations_due,
    invitations_send_due,
    reminders_send,
)
from tests.factories import ContactPointFactory, CustomerFactory


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def survey(analyst):
    return survey_open(survey=survey_create_from_blueprint(user=analyst, key="csat_purchase"))


def invite(survey, user, n=1, *, channel="sms"):
    for i in range(n):
        customer = CustomerFactory(consent_sms=True, consent_email=True, language="en")
        if channel == "sms":
            ContactPointFactory(customer=customer, kind="phone", value=f"1370000{i:04d}")
        else:
            ContactPointFactory(customer=customer, kind="email", value=f"c{i}@example.com")
    distribution_create(
        survey=survey,
        user=user,
        channel=channel,
        customers=Customer.objects.all(),
        filters={},
        seed=1,
    )
    return list(Invitation.objects.order_by("pk"))


class InspectingSmsBackend(sms.BaseSmsBackend):
    """Notes what the database says about the invitation while the provider has the message."""

    seen: list[dict] = []

    def send(self, *, to, text, idempotency_key):
        row = Invitation.objects.values("status", "attempts", "attempt_at", "sent_at").get(
            address=to
        )
        self.seen.append({**row, "key": idempotency_key})
        return sms.SmsResult(ok=True, provider_id="prov-42", delivered=False)


def test_the_attempt_is_recorded_before_the_provider_is_called_and_acceptance_after(
    survey, analyst, settings
):
    # given
    settings.MANYI_SMS_BACKEND = f"{__name__}.InspectingSmsBackend"
    InspectingSmsBackend.seen = []
    (invitation,) = invite(survey, analyst)
    # when
    before = timezone.now()
    invitation_send(invitation_id=invitation.pk)
    # then: while the provider had it, the invitation was being sent, not sent
    (seen,) = InspectingSmsBackend.seen
    assert seen["status"] == InvitationStatus.SENDING
    assert seen["attempts"] == 1
    assert seen["attempt_at"] >= before
    assert seen["sent_at"] is None
    assert seen["key"] == idempotency_key(invitation)
    # and afterwards it is sent, with the provider's id
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert invitation.sent_at >= seen["attempt_at"]
    assert invitation.provider_id == "prov-42"
    assert invitation.delivered_at is None  # the provider did not confirm delivery


def test_idempotency_keys_name_the_invitation_and_differ_per_message(survey, analyst):
    first, second = invite(survey, analyst, 2)
    key = idempotency_key(first)
    assert str(first.pk) in key
    assert key == idempotency_key(Invitation.objects.get(pk=first.pk))  # stable
    assert key != idempotency_key(second)
    assert key != idempotency_key(first, reminder=True)
    assert first.token not in key  # the token is the respondent's credential


def test_the_sms_backends_deliver_once_per_key(capsys):
    locmem = sms.LocmemSmsBackend()
    a = locmem.send(to="138", text="hi", idempotency_key="k1")
    again = locmem.send(to="138", text="hi", idempotency_key="k1")
    locmem.send(to="139", text="hi", idempotency_key="k2")
    assert again == a
    assert [m["idempotency_key"] for m in sms.outbox] == ["k1", "k2"]

    console = sms.ConsoleSmsBackend()
    b = console.send(to="138", text="hello console", idempotency_key="console-test-key")
    assert console.send(to="138", text="hello console", idempotency_key="console-test-key") == b
    assert capsys.readouterr().out.count("hello console") == 1


def test_a_stale_attempt_is_made_again_under_the_same_key_and_not_delivered_twice(
    survey, analyst, settings
):
    # given a worker died after the provider accepted the message, before recording it
    settings.MANYI_SEND_STALE_SECONDS = 300
    (invitation,) = invite(survey, analyst)
    sms.send_sms(to=invitation.address, text="first", idempotency_key=idempotency_key(invitation))
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.SENDING,
        attempts=1,
        attempt_at=timezone.now() - dt.timedelta(seconds=301),
    )
    # when
    assert invitations_send_due() == 1
    # then the provider recognised the key: one message, and the invitation is sent
    invitation.refresh_from_db()
    assert len(sms.outbox) == 1
    assert invitation.status == InvitationStatus.SENT
    assert invitation.attempts == 2
    assert invitation.provider_id == "1"


def test_a_recent_attempt_is_left_to_its_sender(survey, analyst, settings):
    settings.MANYI_SEND_STALE_SECONDS = 300
    (invitation,) = invite(survey, analyst)
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.SENDING, attempts=1, attempt_at=timezone.now()
    )
    assert invitations_send_due() == 0
    invitation_send(invitation_id=invitation.pk)
    assert sms.outbox == []
    assert Invitation.objects.get().status == InvitationStatus.SENDING


class FlakySmsBackend(sms.BaseSmsBackend):
    failures = 0

    def send(self, *, to, text, idempotency_key):
        if FlakySmsBackend.failures:
            FlakySmsBackend.failures -= 1
            return sms.SmsResult(ok=False, error="gateway timeout")
        return sms.LocmemSmsBackend().send(to=to, text=text, idempotency_key=idempotency_key)


def test_a_failed_attempt_is_retried_after_a_growing_back_off(survey, analyst, settings):
    # given a provider that fails twice, then accepts
    settings.MANYI_SMS_BACKEND = f"{__name__}.FlakySmsBackend"
    settings.MANYI_SEND_RETRY_SECONDS = 60
    settings.MANYI_SEND_MAX_ATTEMPTS = 5
    FlakySmsBackend.failures = 2
    (invitation,) = invite(survey, analyst)
    # when the first attempt fails: the error is kept, the next attempt waits a minute
    invitations_send_due()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == (InvitationStatus.PENDING, 1)
    assert invitation.error == "gateway timeout"
    first_wait = invitation.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=55) < first_wait <= dt.timedelta(seconds=60)
    assert invitations_send_due() == 0  # not before its time
    # and the second, two minutes
    later = timezone.now() + dt.timedelta(seconds=61)
    assert list(invitations_due(later)) == [invitation]
    Invitation.objects.update(next_attempt_at=timezone.now())
    invitations_send_due()
    invitation.refresh_from_db()
    assert invitation.attempts == 2
    assert invitation.next_attempt_at - timezone.now() > dt.timedelta(seconds=115)
    # then the third attempt goes through
    Invitation.objects.update(next_attempt_at=timezone.now())
    invitations_send_due()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == (InvitationStatus.SENT, 3)
    assert invitation.error == "" and invitation.next_attempt_at is None
    assert len(sms.outbox) == 1


def test_sending_gives_up_after_the_last_attempt(survey, analyst, settings):
    settings.MANYI_SMS_BACKEND = f"{__name__}.FlakySmsBackend"
    settings.MANYI_SEND_MAX_ATTEMPTS = 2
    FlakySmsBackend.failures = 10
    (invitation,) = invite(survey, analyst)
    invitations_send_due()
    Invitation.objects.update(next_attempt_at=timezone.now())
    invitations_send_due()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == (InvitationStatus.FAILED, 2)
    assert invitation.error == "gateway timeout"
    assert invitations_send_due() == 0


def test_an_attempt_abandoned_on_the_last_try_fails_without_sending(survey, analyst, settings):
    settings.MANYI_SEND_MAX_ATTEMPTS = 3
    settings.MANYI_SEND_STALE_SECONDS = 60
    (invitation,) = invite(survey, analyst)
    Invitation.objects.update(
        status=InvitationStatus.SENDING,
        attempts=3,
        attempt_at=timezone.now() - dt.timedelta(minutes=5),
    )
    invitations_send_due()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.FAILED
    assert "3" in invitation.error
    assert sms.outbox == []


class RefusingSmsBackend(sms.BaseSmsBackend):
    def send(self, *, to, text, idempotency_key):
        return sms.SmsResult(ok=False, error="invalid number", permanent=True)


def test_a_permanent_refusal_is_not_retried(survey, analyst, settings):
    settings.MANYI_SMS_BACKEND = f"{__name__}.RefusingSmsBackend"
    (invitation,) = invite(survey, analyst)
    invitations_send_due()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attempts) == (InvitationStatus.FAILED, 1)
    assert invitation.error == "invalid number"


class RecipientRefusedBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"no such user")})


def test_an_email_address_the_server_refuses_is_not_retried(survey, analyst, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RecipientRefusedBackend"
    invite(survey, analyst, channel="email")
    invitations_send_due()
    assert Invitation.objects.get().status == InvitationStatus.FAILED


def test_an_email_carries_its_key_as_message_id(survey, analyst, settings):
    # given an email invitation whose first attempt was abandoned after the server took it
    settings.MANYI_SEND_STALE_SECONDS = 60
    (invitation,) = invite(survey, analyst, channel="email")
    invitation_send(invitation_id=invitation.pk)
    Invitation.objects.update(
        status=InvitationStatus.SENDING, attempt_at=timezone.now() - dt.timedelta(minutes=2)
    )
    # when it is made again
    invitations_send_due()
    # then both copies are one message to mail services: the same Message-ID, from the key
    first, second = mail.outbox
    message_id = first.extra_headers["Message-ID"]
    assert message_id == second.extra_headers["Message-ID"]
    assert message_id == f"<{idempotency_key(invitation)}@localhost>"
    invitation.refresh_from_db()
    assert invitation.provider_id == message_id
    assert invitation.status == InvitationStatus.SENT


def test_reminders_carry_their_own_key(survey, analyst):
    survey.reminder_after_days = 3
    survey.save()
    (invitation,) = invite(survey, analyst)
    invitations_send_due()
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=4))
    assert reminders_send() == 1
    assert [m["idempotency_key"] for m in sms.outbox] == [
        idempotency_key(invitation),
        idempotency_key(invitation, reminder=True),
    ]


def test_one_invitation_that_raises_does_not_stop_the_others(survey, analyst, monkeypatch):
    # given a bug that breaks the first invitation's message
    first, second = invite(survey, analyst, 2)
    real_deliver = distribution._deliver

    def deliver(invitation, *, reminder):
        if invitation.pk == first.pk:
            raise RuntimeError("template bug")
        return real_deliver(invitation, reminder=reminder)

    monkeypatch.setattr(distribution, "_deliver", deliver)
    # when
    assert invitations_send_due() == 2
    # then the other one went, and the broken one waits as an attempt to be made again
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == InvitationStatus.SENT
    assert (first.status, first.attempts) == (InvitationStatus.SENDING, 1)


def test_the_sending_page_counts_and_names_invitations_being_sent(
    client, analyst, survey, settings
):
    # given one invitation being sent
    (invitation,) = invite(survey, analyst)
    Invitation.objects.update(
        status=InvitationStatus.SENDING, attempts=1, attempt_at=timezone.now()
    )
    client.force_login(analyst)
    url = reverse("surveys:distribution_detail", args=[invitation.distribution_id])
    # then the page says so, in English and in Chinese
    page = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "<dt>Being sent</dt><dd>1</dd>" in page
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get(url, headers={"accept-language": "zh-hans"}).content.decode()
    assert "<dt>正在发送</dt><dd>1</dd>" in page


def test_no_reminder_to_an_address_removed_since(survey, analyst):
    # given a sent invitation whose phone number the customer then had removed
    survey.reminder_after_days = 3
    survey.save()
    (invitation,) = invite(survey, analyst)
    invitations_send_due()
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=4))
    invitation.customer.contacts.all().delete()
    # when / then
    assert reminders_send() == 0
    assert len(sms.outbox) == 1  # the invitation only


class _SenderDied(BaseException):
    """What kill -9 looks like from inside: nothing after this line runs."""


def test_a_reminder_whose_sender_died_before_the_provider_is_sent_once_later(
    survey, analyst, monkeypatch, settings
):
    # given a sent invitation due for its reminder, and a sender that dies just before the
    # provider takes the reminder
    survey.reminder_after_days = 3
    survey.save()
    (invitation,) = invite(survey, analyst)
    invitations_send_due()
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=4))
    real_send = distribution.send_sms

    def dies(**kwargs):
        raise _SenderDied

    monkeypatch.setattr(distribution, "send_sms", dies)
    with pytest.raises(_SenderDied):
        reminders_send()
    invitation.refresh_from_db()
    assert invitation.reminded_at is None  # not recorded as reminded: it never went
    # when another worker runs before the attempt is stale, then after
    monkeypatch.setattr(distribution, "send_sms", real_send)
    assert reminders_send() == 0
    Invitation.objects.update(
        reminder_attempt_at=timezone.now()
        - dt.timedelta(seconds=settings.MANYI_SEND_STALE_SECONDS + 1)
    )
    assert reminders_send() == 1
    # then the reminder went exactly once, and is recorded
    keys = [m["idempotency_key"] for m in sms.outbox]
    assert keys == [idempotency_key(invitation), idempotency_key(invitation, reminder=True)]
    invitation.refresh_from_db()
    assert invitation.reminded_at is not None
    assert reminders_send() == 0


def test_a_reminder_whose_sender_died_after_the_provider_took_it_is_not_sent_twice(
    survey, analyst, monkeypatch, settings
):
    # given a sender that dies after the provider accepted the reminder, before recording it
    survey.reminder_after_days = 3
    survey.save()
    invite(survey, analyst)
    invitations_send_due()
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=4))
    real_send = distribution.send_sms

    def accepts_then_dies(**kwargs):
        real_send(**kwargs)
        raise _SenderDied

    monkeypatch.setattr(distribution, "send_sms", accepts_then_dies)
    with pytest.raises(_SenderDied):
        reminders_send()
    # when the stale attempt is made again
    monkeypatch.setattr(distribution, "send_sms", real_send)
    Invitation.objects.update(
        reminder_attempt_at=timezone.now()
        - dt.timedelta(seconds=settings.MANYI_SEND_STALE_SECONDS + 1)
    )
    reminders_send()
    # then the provider delivered it once: the same idempotency key came twice
    assert len(sms.outbox) == 2  # the invitation and one reminder
    assert Invitation.objects.get().reminded_at is not None
