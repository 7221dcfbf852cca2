"""Replies to the customer by e-mail and SMS, sent by the periodic task without losing or
doubling one when the sender dies; message templates (话术) with checked placeholders,
filled for a real customer."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from manyi.cases import messaging, services
from manyi.cases.choices import CaseType, MessageStatus
from manyi.cases.models import CaseMessage, MessageTemplate
from manyi.cases.placeholders import PlaceholderError, fill
from manyi.core import sms
from tests.factories import ContactPointFactory, CustomerFactory


@pytest.fixture
def case(agent):
    customer = CustomerFactory(team=agent.team, name="王{case_no}<b>")
    ContactPointFactory(customer=customer, kind="email", value="wang@example.com", is_primary=True)
    ContactPointFactory(customer=customer, kind="phone", value="+8613800138000", is_primary=True)
    return services.case_open(
        customer=customer, case_type=CaseType.COMPLAINT, subject="Late", owner=agent
    ).case


def _reply(client, case, **data):
    return client.post(
        reverse("cases:entry", args=[case.pk]),
        {"kind": "reply", "reply_channel": "email", "body": "We are on it.", **data},
    )


def test_an_email_reply_is_sent_once_even_if_the_sender_dies(client, agent, case, settings):
    client.force_login(agent)
    assert _reply(client, case, subject="Your case").status_code == 302
    message = CaseMessage.objects.get()
    assert (message.address, message.status) == ("wang@example.com", MessageStatus.PENDING)
    # a sender claims it and dies before recording the outcome
    message.status, message.attempt_at, message.attempts = MessageStatus.SENDING, timezone.now(), 1
    message.save()
    assert messaging.send_due() == 0  # not stale yet: nobody sends it a second time
    stale = timezone.now() - dt.timedelta(seconds=settings.MANYI_SEND_STALE_SECONDS + 1)
    CaseMessage.objects.filter(pk=message.pk).update(attempt_at=stale)
    assert messaging.send_due() == 1
    assert messaging.send_due() == 0
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["wang@example.com"] and sent.subject == "Your case"
    assert sent.extra_headers["Message-ID"].startswith(f"<{messaging.idempotency_key(message)}@")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 2


def test_an_sms_reply_and_a_failed_attempt_is_retried_later(client, agent, case, settings):
    settings.MANYI_SMS_BACKEND = "manyi.core.sms.LocmemSmsBackend"
    client.force_login(agent)
    _reply(client, case, reply_channel="sms")
    message = CaseMessage.objects.get()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(messaging, "send_sms", lambda **kw: sms.SmsResult(ok=False, error="busy"))
        messaging.send_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.next_attempt_at > timezone.now()
    CaseMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert messaging.send_due() == 1
    assert sms.outbox[-1]["to"] == "+8613800138000"


def test_a_reply_by_a_channel_the_customer_has_no_address_for_is_refused(client, agent):
    customer = CustomerFactory(team=agent.team)
    case = services.case_open(customer=customer, case_type=CaseType.INQUIRY, subject="?").case
    client.force_login(agent)
    page = _reply(client, case)
    assert page.status_code == 400
    assert "no contact point for this channel" in page.content.decode()
    assert _reply(client, case, reply_channel="phone").status_code == 302  # a call: a record


def test_a_template_fills_the_reply_for_the_real_customer_as_plain_text(client, agent, case):
    template = MessageTemplate.objects.get(purpose="apology", language="en")
    client.force_login(agent)
    page = client.get(case.get_absolute_url(), {"template": template.pk})
    form = page.context["entry_form"]
    assert form.initial["body"].startswith("Dear 王{case_no}<b>,")  # the value, not expanded
    assert case.number in form.initial["subject"]
    assert "王{case_no}&lt;b&gt;" in page.content.decode()  # text, never markup


def test_placeholders_are_checked_when_a_template_is_saved(db):
    template = MessageTemplate(name="x", purpose="thanks", language="en", body="Hi {name}")
    with pytest.raises(ValidationError, match="Unknown placeholder"):
        template.full_clean()
    for body in ("Hi {customer_name.__class__}", "Hi {customer_name!r}", "Hi {", "{0}"):
        template.body = body
        with pytest.raises(ValidationError):
            template.full_clean()
    template.body = "Hi {customer_name}, {{literal}}"
    template.full_clean()
    assert fill(template.body, {"customer_name": "{agent}"}) == "Hi {agent}, {literal}"
    with pytest.raises(PlaceholderError):
        fill("{unknown}", {})
