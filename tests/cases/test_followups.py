"""Bulk follow-up with a message template: who receives it (consent, an address, the contact
cap, which counts follow-ups too), the message filled in for each customer as plain text and
in their language, sent once by the periodic sender, on the customer's timeline; who may do
it; and `kill -9` of the sending worker loses and repeats nothing."""

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from manyi.accounts.choices import Role
from manyi.cases import followups, messaging
from manyi.cases.choices import MessageStatus
from manyi.cases.forms import FollowUpForm
from manyi.cases.models import CaseMessage, FollowUp, MessageTemplate
from manyi.customers.models import Customer
from tests.factories import (
    ContactPointFactory,
    CustomerFactory,
    ProductFactory,
    PurchaseFactory,
    PurchaseItemFactory,
)
from tests.surveys.test_send_kill import provider  # noqa: F401  (a fixture)
from tests.worker_processes import WORKER_SECRET_KEY, wait_for

ALL = {Role.ADMIN, Role.ANALYST, Role.AGENT, Role.VIEWER}
EDITORS = {Role.ADMIN, Role.ANALYST, Role.AGENT}


@pytest.fixture
def template(db):
    MessageTemplate.objects.create(
        name="Check-in", purpose="check_in", language="en", subject="Hello {customer_name}",
        body="Dear {customer_name}, how is your {product}? — {agent}, {company}",
    )  # fmt: skip
    return MessageTemplate.objects.create(
        name="Check-in", purpose="check_in", language="zh-hans", subject="{customer_name}您好",
        body="{customer_name}您好，{product}用得怎么样？——{agent}",
    )  # fmt: skip


@pytest.fixture
def people(team_east):
    def customer(name, *, consent=True, email=True, language="zh-hans"):
        c = CustomerFactory(name=name, team=team_east, consent_email=consent, language=language)
        if email:
            ContactPointFactory(customer=c, kind="email", value=f"{c.external_id}@example.com")
        return c

    ann = customer("Ann <b>{case_no}</b>", language="en")
    PurchaseItemFactory(
        purchase=PurchaseFactory(customer=ann), product=ProductFactory(name="Kettle")
    )
    return {
        "ann": ann,
        "bo": customer("薄"),
        "no_consent": customer("No consent", consent=False),
        "no_email": customer("No e-mail", email=False),
        "cy": customer("Cy"),
    }


def test_a_follow_up_reaches_whom_it_may_once_filled_in_for_each(template, people, agent, settings):
    settings.MANYI_COMPANY_NAME = "满意"
    customers = Customer.objects.filter(pk__in=[c.pk for c in people.values()])
    followup = followups.followup_create(
        template=template, channel="email", customers=customers, user=agent, filters={}
    )
    assert followup.summary == {
        "selected": 5, "eligible": 3, "no_consent": 1, "no_contact": 1, "contacted_recently": 0
    }  # fmt: skip
    by_name = {m.customer.name: m for m in followup.messages.select_related("customer")}
    ann = by_name["Ann <b>{case_no}</b>"]
    # in Ann's language (English exists), her name as text, not expanded again
    assert ann.subject == "Hello Ann <b>{case_no}</b>"
    sender = agent.get_full_name() or agent.username
    assert ann.body == f"Dear Ann <b>{{case_no}}</b>, how is your Kettle? — {sender}, 满意"
    assert by_name["薄"].body.startswith(
        "薄您好，我们的产品用得怎么样"
    )  # no purchase: "our product"
    # sent by the periodic sender, once
    assert messaging.send_due() == 3 and messaging.send_due() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.address for m in by_name.values())
    # a second follow-up soon after is held back by the contact cap: nobody to send it to
    again = followups.select(customers, "email")
    assert not again.eligible and again.excluded["contacted_recently"] == 3
    with pytest.raises(followups.NobodyToSend):
        followups.followup_create(
            template=template, channel="email", customers=customers, user=agent, filters={}
        )
    assert FollowUp.objects.count() == 1
    # a month later it is not
    later = timezone.now() + dt.timedelta(days=settings.MANYI_CONTACT_MIN_DAYS + 1)
    assert len(followups.select(customers, "email", now=later).eligible) == 3


def test_a_template_about_a_case_cannot_be_sent_to_customers(client, agent, people):
    about_a_case = MessageTemplate.objects.create(
        name="Sorry", purpose="apology", language="en", body="About case {case_no}"
    )
    client.force_login(agent)
    response = client.post(
        reverse("cases:followup_new"),
        {"template": about_a_case.pk, "channel": "email", "action": "send"},
    )
    assert response.status_code == 400  # not offered, and refused if posted
    assert "Select a valid choice" in response.content.decode()
    form = FollowUpForm({"template": about_a_case.pk, "channel": "email"})
    form.fields["template"].queryset = MessageTemplate.objects.all()
    assert not form.is_valid()
    assert "This template speaks of a case ({case_no})" in str(form.errors)
    assert not FollowUp.objects.exists()


def test_the_pages_preview_send_show_progress_and_the_timeline(client, agent, template, people):
    client.force_login(agent)
    page = client.get(reverse("cases:followup_new"), {"q": "Ann"})  # from the customer list
    assert page.status_code == 200 and 'value="Ann"' in page.content.decode()
    preview = client.post(reverse("cases:followup_new"), {
        "template": template.pk, "channel": "email", "action": "preview",
    })  # fmt: skip
    html = preview.content.decode()
    assert preview.context["preview"]["eligible"] == 3
    assert "Hello Ann &lt;b&gt;{case_no}&lt;/b&gt;" in html  # escaped, as text
    assert not FollowUp.objects.exists()  # a preview sends nothing
    sent = client.post(reverse("cases:followup_new"), {
        "template": template.pk, "channel": "email", "action": "send",
    })  # fmt: skip
    followup = FollowUp.objects.get()
    assert sent["Location"] == followup.get_absolute_url()
    detail = client.get(followup.get_absolute_url())
    assert detail.context["counts"]["waiting"] == 3 and not detail.context["done"]
    assert '<meta http-equiv="refresh"' in detail.content.decode()
    messaging.send_due()
    detail = client.get(followup.get_absolute_url())
    assert detail.context["counts"]["sent"] == 3 and detail.context["done"]
    customer_page = client.get(reverse("customers:detail", args=[people["ann"].pk]))
    assert "Follow-up" in customer_page.content.decode()


def test_each_role_on_the_follow_up_pages(client, users_by_role, agent_west, template, people):
    other = FollowUp.objects.create(template=template, channel="email", created_by=agent_west)
    for role, user in users_by_role.items():
        client.force_login(user)
        new = client.get(reverse("cases:followup_new")).status_code
        detail = client.get(other.get_absolute_url()).status_code
        assert new == (200 if role in EDITORS else 403), role
        # an agent sees their own follow-ups only
        expected = 403 if role == Role.VIEWER else 404 if role == Role.AGENT else 200
        assert detail == expected, role


PROVIDER = "tests.surveys.test_send_kill.ProviderStandIn"
MESSAGES = 120


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_workers_send_every_follow_up_exactly_once(
    shared_db,
    provider,  # noqa: F811
    tmp_path,
    agent,
    settings,
):
    template = MessageTemplate.objects.create(
        name="Care", purpose="care", language="zh-hans", body="{customer_name}，节日快乐"
    )
    for n in range(MESSAGES):
        ContactPointFactory(
            customer__consent_sms=True, customer__team=agent.team, kind="phone",
            value=f"1390000{n:04d}",
        )  # fmt: skip
    DBTaskResult.objects.all().delete()
    followups.followup_create(
        template=template, channel="sms", customers=Customer.objects.all(), user=agent, filters={}
    )
    shared_db.share()
    env = {"MANYI_SMS_BACKEND": PROVIDER, "PROVIDER_DIR": str(tmp_path)}

    def accepted(count):
        return provider.execute("SELECT count(*) FROM accepted").fetchone()[0] == count

    def held(process):
        return (tmp_path / f"held-{process.pid}").exists()

    first = shared_db.start_worker(name="first", PROVIDER_HOLD="before:40", **env)
    wait_for(lambda: held(first) and accepted(40), timeout=30, what="40", logs=shared_db.log)
    shared_db.kill(first)
    stale = {"MANYI_SEND_STALE_SECONDS": "1"}
    second = shared_db.start_worker(name="second", PROVIDER_HOLD="after:80", **stale, **env)
    wait_for(lambda: held(second) and accepted(80), timeout=30, what="80",
             logs=lambda: shared_db.log("second"))  # fmt: skip
    shared_db.kill(second)
    third = shared_db.start_worker(name="third", **stale, **env)
    wait_for(lambda: accepted(MESSAGES), timeout=30, what="all",
             logs=lambda: shared_db.log("third"))  # fmt: skip
    assert shared_db.stop(third) == 0
    shared_db.collect()

    messages = list(CaseMessage.objects.order_by("pk"))
    settings.SECRET_KEY = WORKER_SECRET_KEY  # the workers' key, in the idempotency keys
    keys = {messaging.idempotency_key(m): m for m in messages}
    rows = provider.execute("SELECT key, recipient FROM accepted").fetchall()
    assert len(rows) == MESSAGES and {key for key, _to in rows} == set(keys)
    calls = Counter(key for (key,) in provider.execute("SELECT key FROM calls"))
    assert sorted(calls.values()) == [1] * (MESSAGES - 1) + [2]  # the one held after acceptance
    assert {m.status for m in messages} == {MessageStatus.SENT}
