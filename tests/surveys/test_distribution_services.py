"""Inviting customers: sampling, eligibility, the contact-frequency cap, sending, reminders,
triggers and the funnel."""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from manyi.core import sms
from manyi.customers.models import Customer
from manyi.surveys.choices import InvitationStatus, ResponseChannel, TriggerEvent
from manyi.surveys.models import Invitation, TriggerFiring
from manyi.surveys.queries import survey_funnel
from manyi.surveys.selection import SelectionFilterSet
from manyi.surveys.services.design import survey_close, survey_create_from_blueprint, survey_open
from manyi.surveys.services.distribution import (
    distribution_create,
    invitation_opt_out,
    invitation_send,
    invitations_send_due,
    reminders_send,
    trigger_switch,
    triggers_scan,
)
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import (
    ContactPointFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    ProductFactory,
    PurchaseFactory,
    PurchaseItemFactory,
    SegmentFactory,
    TriggerFactory,
)


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def survey(analyst):
    return survey_open(survey=survey_create_from_blueprint(user=analyst, key="csat_purchase"))


@pytest.fixture
def other_survey(analyst):
    return survey_open(survey=survey_create_from_blueprint(user=analyst, key="nps_relationship"))


def reachable(n=1, *, email=True, phone=False, **fields):
    """Customers who consented and have an address on the asked channels."""
    customers = []
    for _ in range(n):
        customer = CustomerFactory(consent_email=email, consent_sms=phone, **fields)
        if email:
            ContactPointFactory(
                customer=customer, kind="email", value=f"c{customer.pk}@example.com"
            )
        if phone:
            ContactPointFactory(customer=customer, kind="phone", value=f"1380000{customer.pk:04d}")
        customers.append(customer)
    return customers


def distribute(survey, user, customers=None, *, channel="email", seed=1, **kwargs):
    return distribution_create(
        survey=survey,
        user=user,
        channel=channel,
        customers=customers if customers is not None else Customer.objects.all(),
        filters={},
        seed=seed,
        **kwargs,
    )


def invited_ids(distribution) -> set[int]:
    return set(distribution.invitations.values_list("customer_id", flat=True))


def draw_without_keeping(survey, user, **kwargs) -> set[int]:
    """Which customers a distribution would invite, rolled back so it can be drawn again."""
    with transaction.atomic():
        ids = invited_ids(distribute(survey, user, **kwargs))
        transaction.set_rollback(True)
    return ids


def submit(survey, invitation, answers):
    response = response_start(
        survey=survey, channel=invitation.channel, language="en", invitation=invitation
    )
    response_save_page(response=response, page=1, data=answers)
    return response_submit(response=response).response


# Selection and sampling


def test_same_selection_and_seed_draw_the_same_customers(survey, analyst):
    # given
    reachable(40)
    # when
    first = draw_without_keeping(survey, analyst, seed=42, sample_size=10)
    again = draw_without_keeping(survey, analyst, seed=42, sample_size=10)
    other = draw_without_keeping(survey, analyst, seed=43, sample_size=10)
    # then
    assert len(first) == 10
    assert first == again
    assert other != first


def test_sample_by_size_and_by_share(survey, analyst):
    reachable(30)
    assert len(draw_without_keeping(survey, analyst, sample_size=10)) == 10
    assert len(draw_without_keeping(survey, analyst, sample_size=100)) == 30
    # 25 % of 30 = 7.5, rounded half up
    assert len(draw_without_keeping(survey, analyst, sample_percent=25)) == 8
    assert len(draw_without_keeping(survey, analyst)) == 30


@pytest.fixture
def population():
    gold = SegmentFactory(name="Gold")
    kettle = ProductFactory(name="Kettle")
    now = timezone.now()
    shanghai_gold = reachable(region="上海", segment=gold)[0]
    beijing = reachable(region="北京")[0]
    buyer = reachable(region="广东")[0]
    PurchaseItemFactory(
        product=kettle, purchase=PurchaseFactory(customer=buyer, purchased_at=now - dt.timedelta(2))
    )
    PurchaseFactory(customer=beijing, purchased_at=now - dt.timedelta(days=200))
    return {
        "gold": gold,
        "kettle": kettle,
        "shanghai_gold": shanghai_gold,
        "beijing": beijing,
        "buyer": buyer,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda p: {"region": "北京"}, {"beijing"}),
        (lambda p: {"segment": p["gold"].pk}, {"shanghai_gold"}),
        (lambda p: {"product": p["kettle"].pk}, {"buyer"}),
        (
            lambda p: {"last_purchase_after": str(timezone.localdate() - dt.timedelta(30))},
            {"buyer"},
        ),
        (
            lambda p: {"last_purchase_before": str(timezone.localdate() - dt.timedelta(30))},
            {"beijing"},
        ),
    ],
)
def test_selection_filters_decide_who_is_invited(survey, analyst, population, params, expected):
    # given
    filterset = SelectionFilterSet(params(population), queryset=Customer.objects.all())
    assert filterset.is_valid(), filterset.errors
    # when
    distribution = distribute(survey, analyst, filterset.qs)
    # then
    assert invited_ids(distribution) == {population[name].pk for name in expected}


def test_no_consent_and_no_address_are_excluded_and_counted(survey, analyst):
    # given
    reachable(3)
    CustomerFactory(consent_email=False)  # no consent
    ContactPointFactory(customer=CustomerFactory(consent_email=False), kind="email")
    CustomerFactory(consent_email=True)  # consent but no email address
    reachable(1, email=False, phone=True)  # SMS only
    # when
    distribution = distribute(survey, analyst)
    # then
    assert distribution.summary == {
        "selected": 7,
        "eligible": 3,
        "no_consent": 3,
        "no_contact": 1,
        "already_invited": 0,
        "contacted_recently": 0,
        "invited": 3,
    }
    assert distribution.invitations.count() == 3


def test_a_customer_is_invited_once_per_survey(survey, analyst):
    reachable(2)
    distribute(survey, analyst)
    second = distribute(survey, analyst)
    assert second.summary["already_invited"] == 2
    assert second.summary["invited"] == 0


def test_frequency_cap_spans_surveys(survey, other_survey, analyst, settings):
    # given: invited to another survey 10 days ago, with a 30-day interval
    settings.MANYI_CONTACT_MIN_DAYS = 30
    customer = reachable()[0]
    earlier = InvitationFactory(
        survey=other_survey, customer=customer, sent_at=timezone.now() - dt.timedelta(days=10)
    )
    # when
    capped = draw_without_keeping(survey, analyst)
    Invitation.objects.filter(pk=earlier.pk).update(sent_at=timezone.now() - dt.timedelta(days=31))
    later = draw_without_keeping(survey, analyst)
    # then
    assert capped == set()
    assert later == {customer.pk}


def test_frequency_cap_counts_the_reason(survey, other_survey, analyst, settings):
    settings.MANYI_CONTACT_MIN_DAYS = 30
    customer = reachable()[0]
    InvitationFactory(survey=other_survey, customer=customer)
    assert distribute(survey, analyst).summary["contacted_recently"] == 1


# Sending


def test_email_invitation_in_the_customers_language(survey, analyst):
    # given
    chinese = reachable(language="zh-hans")[0]
    english = reachable(language="en")[0]
    distribute(survey, analyst)
    # when
    assert invitations_send_due() == 2
    # then
    by_address = {m.to[0]: m for m in mail.outbox}
    for customer, title in ((chinese, "购物满意度调查"), (english, "How was your purchase?")):
        invitation = Invitation.objects.get(customer=customer)
        message = by_address[invitation.address]
        assert message.subject == title
        assert f"http://testserver/s/{invitation.token}/" in message.body
        assert f"http://testserver/s/{invitation.token}/opt-out/" in message.body
        assert title in message.body
        assert invitation.token in message.extra_headers["List-Unsubscribe"]
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.SENT
        assert invitation.sent_at is not None and invitation.delivered_at is not None


def test_tokens_are_unique_and_long(survey, analyst):
    reachable(20)
    distribute(survey, analyst)
    tokens = list(Invitation.objects.values_list("token", flat=True))
    assert len(set(tokens)) == 20
    assert min(len(t) for t in tokens) >= 32


def test_sms_invitation(survey, analyst):
    customer = reachable(email=False, phone=True, language="en")[0]
    distribute(survey, analyst, channel="sms")
    invitations_send_due()
    invitation = Invitation.objects.get(customer=customer)
    assert len(sms.outbox) == 1
    assert sms.outbox[0]["to"] == invitation.address
    assert f"/s/{invitation.token}/" in sms.outbox[0]["text"]
    assert "How was your purchase?" in sms.outbox[0]["text"]
    assert mail.outbox == []


def test_an_invitation_is_sent_at_most_once(survey, analyst):
    reachable()
    distribute(survey, analyst)
    invitation = Invitation.objects.get()
    invitation_send(invitation_id=invitation.pk)
    invitation_send(invitation_id=invitation.pk)
    invitations_send_due()
    assert len(mail.outbox) == 1


def test_a_distribution_sends_once_committed(survey, analyst, django_capture_on_commit_callbacks):
    reachable(2)
    with django_capture_on_commit_callbacks(execute=True):
        distribute(survey, analyst)
    assert len(mail.outbox) == 2
    assert set(Invitation.objects.values_list("status", flat=True)) == {InvitationStatus.SENT}


def test_send_after_waits(survey, analyst):
    reachable()
    distribute(survey, analyst, send_after=timezone.now() + dt.timedelta(hours=2))
    assert invitations_send_due() == 0
    assert mail.outbox == []


class FailingForOneBackend(BaseEmailBackend):
    def send_messages(self, messages):
        for message in messages:
            if message.to[0].startswith("fail"):
                raise ConnectionRefusedError("mail server refused the connection")
        mail.outbox.extend(messages)
        return len(messages)


def test_a_failing_email_is_recorded_and_the_others_still_go(survey, analyst, settings):
    # given
    settings.EMAIL_BACKEND = f"{__name__}.FailingForOneBackend"
    mail.outbox = []
    failing = CustomerFactory(consent_email=True)
    ContactPointFactory(customer=failing, kind="email", value="fail@example.com")
    reachable(2)
    distribute(survey, analyst)
    # when
    invitations_send_due()
    # then: the error is recorded and the invitation waits for another attempt
    failed = Invitation.objects.get(customer=failing)
    assert failed.status == InvitationStatus.PENDING
    assert failed.next_attempt_at > timezone.now()
    assert "refused" in failed.error
    assert failed.sent_at is None
    assert Invitation.objects.filter(status=InvitationStatus.SENT).count() == 2
    assert len(mail.outbox) == 2


class RaisingSmsBackend(sms.BaseSmsBackend):
    def send(self, *, to, text, idempotency_key):
        raise TimeoutError("x" * 500)


def test_an_sms_provider_that_raises_is_recorded_and_retried_later(survey, analyst, settings):
    settings.MANYI_SMS_BACKEND = f"{__name__}.RaisingSmsBackend"
    reachable(email=False, phone=True)
    distribute(survey, analyst, channel="sms")
    invitations_send_due()
    invitation = Invitation.objects.get()
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.next_attempt_at > timezone.now()
    assert len(invitation.error) == 300


def test_a_closed_survey_skips_its_pending_invitations(survey, analyst):
    reachable()
    distribute(survey, analyst)
    survey_close(survey=survey)
    invitations_send_due()
    invitation = Invitation.objects.get()
    assert invitation.status == InvitationStatus.SKIPPED
    assert mail.outbox == []


def test_consent_withdrawn_before_sending_skips(survey, analyst):
    customer = reachable()[0]
    distribute(survey, analyst)
    Customer.objects.filter(pk=customer.pk).update(consent_email=False)
    invitations_send_due()
    assert Invitation.objects.get().status == InvitationStatus.SKIPPED
    assert mail.outbox == []


# Reminders


@pytest.fixture
def sent_four_days_ago(survey, analyst):
    survey.reminder_after_days = 3
    survey.save()
    reachable(3)
    distribute(survey, analyst)
    invitations_send_due()
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=4))
    mail.outbox = []
    return list(Invitation.objects.order_by("pk"))


def test_one_reminder_to_those_who_have_not_answered(survey, sent_four_days_ago):
    # given
    answered, opted_out, silent = sent_four_days_ago
    submit(survey, answered, {"q__overall": ["5"]})
    invitation_opt_out(invitation=opted_out)
    # when
    first = reminders_send()
    second = reminders_send()
    # then
    assert (first, second) == (1, 0)
    assert [m.to[0] for m in mail.outbox] == [silent.address]
    assert "Reminder" in mail.outbox[0].subject or "提醒" in mail.outbox[0].subject
    silent.refresh_from_db()
    assert silent.reminded_at is not None


def test_no_reminder_before_the_days_have_passed(survey, sent_four_days_ago):
    Invitation.objects.update(sent_at=timezone.now() - dt.timedelta(days=2))
    assert reminders_send() == 0
    assert mail.outbox == []


def test_no_reminder_without_the_setting(survey, sent_four_days_ago):
    survey.reminder_after_days = None
    survey.save()
    assert reminders_send() == 0


# Triggers


def _trigger(survey, *, event=TriggerEvent.PURCHASE_DELIVERED, created_days_ago=3, **fields):
    trigger = TriggerFactory(survey=survey, event=event, **fields)
    trigger.created_at = trigger.active_since = timezone.now() - dt.timedelta(days=created_days_ago)
    trigger.save(update_fields=["created_at", "active_since"])
    return trigger


def _delivered(customer, days_ago):
    return PurchaseFactory(
        customer=customer,
        purchased_at=timezone.now() - dt.timedelta(days=days_ago + 1),
        delivered_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_a_delivered_purchase_invites_once(survey, django_capture_on_commit_callbacks):
    # given: the trigger exists for 3 days, the purchase was delivered 2 days ago (delay 24 h)
    trigger = _trigger(survey)
    customer = reachable()[0]
    purchase = _delivered(customer, days_ago=2)
    # when: sending is enqueued once the scan's invitations are committed
    with django_capture_on_commit_callbacks(execute=True):
        first = triggers_scan()
    second = triggers_scan()
    # then
    assert (first, second) == (1, 0)
    invitation = Invitation.objects.get()
    assert invitation.customer == customer and invitation.trigger == trigger
    firing = TriggerFiring.objects.get()
    assert firing.source_id == purchase.pk and firing.outcome == "invited"
    assert invitation.purchase == purchase and invitation.interaction is None
    assert len(mail.outbox) == 1


def test_events_before_the_trigger_or_within_the_delay_do_not_invite(survey):
    _trigger(survey, created_days_ago=3)
    customer = reachable()[0]
    _delivered(customer, days_ago=5)  # before the trigger existed
    PurchaseFactory(customer=customer, delivered_at=timezone.now() - dt.timedelta(hours=2))
    assert triggers_scan() == 0
    assert not Invitation.objects.exists()


def test_the_delay_is_read_from_the_clock(survey):
    _trigger(survey, created_days_ago=3)
    customer = reachable()[0]
    PurchaseFactory(customer=customer, delivered_at=timezone.now() - dt.timedelta(hours=2))
    assert triggers_scan() == 0
    assert triggers_scan(now=timezone.now() + dt.timedelta(days=1)) == 1


def test_a_closed_interaction_invites(survey):
    _trigger(survey, event=TriggerEvent.INTERACTION_CLOSED)
    customer = reachable()[0]
    now = timezone.now()
    InteractionFactory(
        customer=customer,
        occurred_at=now - dt.timedelta(days=2, hours=5),
        closed_at=now - dt.timedelta(days=2),
    )
    InteractionFactory(customer=customer, closed_at=None)  # still open
    assert triggers_scan() == 1
    assert Invitation.objects.get().customer == customer


def test_triggers_respect_the_frequency_cap(survey, other_survey, settings):
    # given: the customer was invited to another survey 5 days ago
    settings.MANYI_CONTACT_MIN_DAYS = 30
    _trigger(survey)
    customer = reachable()[0]
    InvitationFactory(
        survey=other_survey, customer=customer, sent_at=timezone.now() - dt.timedelta(days=5)
    )
    _delivered(customer, days_ago=2)
    # when
    invited = triggers_scan()
    # then
    assert invited == 0
    firing = TriggerFiring.objects.get()
    assert firing.outcome == "contacted_recently" and firing.invitation is None
    assert not Invitation.objects.filter(survey=survey).exists()


def test_triggers_record_missing_consent(survey):
    _trigger(survey)
    customer = CustomerFactory(consent_email=False)
    _delivered(customer, days_ago=2)
    assert triggers_scan() == 0
    assert TriggerFiring.objects.get().outcome == "no_consent"


def test_inactive_triggers_and_closed_surveys_do_not_fire(survey):
    _trigger(survey, is_active=False)
    customer = reachable()[0]
    _delivered(customer, days_ago=2)
    assert triggers_scan() == 0
    survey_close(survey=survey)
    _trigger(survey)
    assert triggers_scan() == 0
    assert not TriggerFiring.objects.exists()


# Funnel


def test_funnel_counts(survey, analyst):
    # given: 4 invited, 3 delivered, 2 opened, 2 started, 1 completed (valid); plus a public
    # link response that counts by channel but not in the invitation funnel
    invitations = [InvitationFactory(survey=survey) for _ in range(4)]
    Invitation.objects.filter(pk=invitations[3].pk).update(delivered_at=None)
    Invitation.objects.filter(pk__in=[i.pk for i in invitations[:2]]).update(
        opened_at=timezone.now()
    )
    submit(survey, invitations[0], {"q__overall": ["4"], "q__delivery": ["5"]})
    response_start(survey=survey, channel="email", language="en", invitation=invitations[1])
    link = response_start(survey=survey, channel=ResponseChannel.LINK, language="zh-hans")
    response_save_page(response=link, page=1, data={"q__overall": ["2"]})
    response_submit(response=link)
    # when
    funnel = survey_funnel(survey=survey, user=analyst)
    # then
    assert [n for _step, n in funnel.steps] == [4, 3, 2, 2, 1, 1]
    assert funnel.response_rate == pytest.approx(1 / 3)
    assert funnel.by_channel == {"email": (2, 1, 1), "link": (1, 1, 0)}
    assert funnel.valid_rate == pytest.approx(1 / 2)


def test_a_trigger_switched_back_on_ignores_what_happened_while_it_was_off(survey):
    # given a trigger that was off while a purchase was delivered
    trigger = _trigger(survey)
    trigger_switch(trigger=trigger, active=False)
    _delivered(reachable()[0], days_ago=2)
    # when it is switched on again and scans
    trigger_switch(trigger=trigger, active=True)
    assert triggers_scan() == 0
    # then nothing from its time off is invited
    assert not Invitation.objects.filter(trigger=trigger).exists()
