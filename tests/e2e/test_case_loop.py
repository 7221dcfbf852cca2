"""Issue 17's loop in a real browser, on the demo data: a detractor's answer opens a case; the
agent of the customer's team replies with a message template and resolves it; the follow-up
survey arrives by e-mail; the customer answers "no", which reopens the case."""

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from manyi.accounts.models import User
from manyi.cases.choices import NotificationKind, Status
from manyi.cases.models import Case, CaseMessage, Notification
from manyi.customers.models import ContactPoint, Customer
from manyi.surveys.models import Invitation, Survey
from manyi.surveys.services.distribution import invitations_send_due

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SMALL = ("--customers", "60", "--purchases", "200", "--interactions", "100", "--responses", "150")
LINK = re.compile(r"http://\S+?/s/([\w-]+)/")


def _browser(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


def _answer_link(base: str, link: str, clicks: list[str]) -> str:
    """Answer a survey as the customer, on a phone with JavaScript off."""
    with sync_api.sync_playwright() as playwright:
        browser = _browser(playwright)
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="en-US"
        ).new_page()
        phone.goto(base + link)
        for selector in clicks:
            phone.click(selector)
        phone.click("button[value=submit]")
        text = phone.content()
        browser.close()
    return text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_detractor_case_reply_resolve_follow_up_reopen(live_server, settings):
    settings.MANYI_BASE_URL = live_server.url
    base = live_server.url
    call_command("demo_data", *SMALL, "--until", dt.date.today().isoformat(), stdout=StringIO())
    survey = Survey.objects.get(blueprint="nps_relationship")
    # a customer of a team, with no open case, who agreed to e-mail and reads English
    customer = (
        Customer.objects.filter(team__isnull=False)
        .exclude(cases__status__in=["new", "assigned", "in_progress", "waiting", "reopened"])
        .order_by("pk")
        .first()
    )
    Customer.objects.filter(pk=customer.pk).update(consent_email=True, language="en")
    ContactPoint.objects.filter(customer=customer, kind="email").delete()
    ContactPoint.objects.create(
        customer=customer, kind="email", value="loop@example.com", is_primary=True
    )
    agent = User.objects.get(team=customer.team, role="agent")
    Invitation.objects.create(
        survey=survey, customer=customer, channel="email", address="loop@example.com",
        language="en",
    )  # fmt: skip
    mail.outbox.clear()
    invitations_send_due()
    link = "/s/" + LINK.search(mail.outbox[-1].body).group(1) + "/"

    # the customer answers 2 out of 10
    _answer_link(base, link, ["label:has(#q__nps-2)", "button[value=next]"])
    case = Case.objects.get(customer=customer, response__isnull=False)
    assert case.status == Status.NEW and case.team == customer.team
    assert Notification.objects.filter(user=agent, case=case, kind=NotificationKind.OPENED)

    # the agent replies with a template, by e-mail, and resolves the case
    with sync_api.sync_playwright() as playwright:
        browser = _browser(playwright)
        staff = browser.new_context(locale="en-US").new_page()
        staff.goto(base + "/accounts/login/")
        staff.fill("#id_username", agent.username)
        staff.fill("#id_password", "manyi-demo")
        staff.click("form.stack button[type=submit]")
        staff.goto(base + "/cases/notifications/")
        staff.click(f"a:has-text('{case.number}')")
        staff.select_option("select[name=template]", label="Apology and resolution (en)")
        staff.click("button:has-text('Fill in')")
        body = staff.input_value("textarea[name=body]")
        staff.select_option("select[name=reply_channel]", "email")
        staff.click("button:has-text('Add')")
        added = staff.content()
        staff.select_option("select[name=status]", Status.RESOLVED)
        staff.fill("textarea[name=resolution]", "Sent a replacement part")
        staff.fill("textarea[name=root_cause]", "Damaged in transit")
        staff.click("button:has-text('Change status')")
        resolved = staff.content()
        browser.close()
    assert body.startswith(f"Dear {customer.name},") and case.number in body
    assert "goes out within a minute" in added and "Resolved" in resolved
    message = CaseMessage.objects.get(entry__case=case)
    assert message.address == "loop@example.com" and message.body == body.strip()
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.first_response_at is not None

    # a day later the follow-up survey arrives (the survey that brought the complaint does
    # not count toward the contact cap)
    invitation = case.recovery_invitation
    assert invitation is not None and invitation.send_after > timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(
        send_after=timezone.now() - dt.timedelta(minutes=1)
    )
    mail.outbox.clear()
    invitations_send_due()
    follow_up = [m for m in mail.outbox if "loop@example.com" in m.to]
    assert len(follow_up) == 1
    link = "/s/" + LINK.search(follow_up[0].body).group(1) + "/"

    # the customer answers "no": the case reopens and its owner is told
    text = _answer_link(base, link, ["label:has(#q__solved-1)", "label:has(#q__handling-2)"])
    assert "Thank you" in text
    case.refresh_from_db()
    assert case.status == Status.REOPENED and case.reopened_count == 1
    assert case.recovery_solved is False and case.recovery_score == 3
    assert Notification.objects.filter(case=case, kind=NotificationKind.REOPENED).exists()
