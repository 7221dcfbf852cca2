"""The issue's "done when", as a person does it in a browser: an analyst builds a survey from
a template, opens it and sends it to a random sample; an invited customer answers on a phone
without JavaScript; the analyst sees the response and the funnel."""

import re
from pathlib import Path

import pytest
from django.core import mail

from manyi.surveys.models import Invitation, Response
from tests.factories import ContactPointFactory, CustomerFactory

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_build_send_answer_and_see_the_funnel(live_server, analyst):
    # given 30 customers who may be emailed
    for n in range(30):
        customer = CustomerFactory(consent_email=True, language="en")
        ContactPointFactory(customer=customer, kind="email", value=f"c{n}@example.com")
    base = live_server.url

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        staff = browser.new_context(locale="en-US").new_page()
        # when the analyst logs in and builds a survey from the CSAT template
        staff.goto(base + "/accounts/login/")
        staff.fill("#id_username", "analyst")
        staff.fill("#id_password", "pw-for-tests-1")
        staff.click("form.stack button[type=submit]")
        staff.goto(base + "/surveys/new/")
        staff.check("input[name=blueprint][value=csat_purchase]")
        staff.click("button:has-text('Create survey')")
        survey_url = staff.url
        staff.click("a:has-text('Open the survey')")
        assert "lock the questions" in staff.content()
        staff.click("button:has-text('Yes, open it')")
        # and sends it to a random sample of 8
        staff.goto(survey_url + "distribute/")
        staff.select_option("select[name=channel]", "email")
        staff.fill("input[name=sample_size]", "8")
        staff.fill("input[name=seed]", "42")
        staff.click("button[value=preview]")
        assert "30" in staff.content()  # selected
        staff.click("button[value=send]")

        # then eight personal emails went out, each with its own link
        assert len(mail.outbox) == 8
        links = {re.search(r"http://\S+/s/(\S+)/", m.body).group(1) for m in mail.outbox}
        assert len(links) == 8

        # when one customer answers on a phone-sized screen with JavaScript off
        phone = browser.new_context(
            viewport={"width": 360, "height": 740}, java_script_enabled=False
        ).new_page()
        phone.goto(f"{base}/s/{sorted(links)[0]}/")
        phone.click("label:has(#q__overall-4)")  # 5: very satisfied
        phone.click("label:has(#q__delivery-3)")
        phone.click("button[value=next]")
        phone.click("button[value=submit]")
        assert "Thank you" in phone.content()

        # then the analyst sees the response and the funnel
        staff.goto(survey_url + "responses/")
        page = staff.content()
        browser.close()

    # (the ORM is used outside the browser block: Playwright runs an event loop)
    assert Invitation.objects.filter(delivered_at__isnull=False).count() == 8
    response = Response.objects.get()
    assert response.is_submitted and response.is_valid and response.channel == "email"
    assert response.customer is not None
    assert re.search(r"Invited\D*8", page) and re.search(r"Completed\D*1", page), page
