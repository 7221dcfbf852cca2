"""A respondent on a small phone with JavaScript off answers by keyboard and taps through an
invitation to the thank-you page, and the page fetches nothing from anywhere else."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from manyi.surveys.choices import ResponseStatus
from manyi.surveys.models import Answer, Invitation, Response
from manyi.surveys.services import design
from tests.factories import CustomerFactory

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT = Path("/tmp/respond_page1.png")


# Restore the evaluated items seeded by a migration, which a transactional test flushes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_answering_by_keyboard_on_a_phone_without_javascript(live_server, analyst):
    # given an invitation to the purchase survey
    survey = design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    design.survey_open(survey=survey)
    invitation = Invitation.objects.create(
        survey=survey, customer=CustomerFactory(), channel="email", language="en"
    )
    url = live_server.url + reverse("respond:invitation", args=[invitation.token])
    requested: list[str] = []

    # when the respondent answers both pages on a 360 px wide phone, JavaScript off
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, java_script_enabled=False
        )
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(url)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        page1 = page.content()
        # keyboard: into the first rating, choose 1, then arrow on to 2
        page.focus("#q__overall-0")
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")
        # a tap on the box of the second rating
        page.click("label:has(#q__delivery-3)")
        page.get_by_role("button", name="Next").click()
        page.wait_for_load_state()
        page2 = page.content()
        page.get_by_label("We are sorry. What went wrong?").fill("The box was damaged.")
        page.click("label:has(#q__repurchase-1)")
        page.get_by_role("button", name="Submit").click()
        page.wait_for_load_state()
        thanks = page.content()
        browser.close()

    # then the thank-you page was reached and the answers are stored
    assert "Page 1 of 2" in page1 and "<script" not in page1
    assert "Page 2 of 2" in page2 and "We are sorry. What went wrong?" in page2
    assert "Thank you!" in thanks
    response = Response.objects.get()
    assert response.status == ResponseStatus.SUBMITTED
    stored = {
        a.question.code: (a.number, a.text, a.choices)
        for a in Answer.objects.filter(response=response).select_related("question")
    }
    assert stored == {
        "overall": (2, "", []),
        "delivery": (4, "", []),
        "why_low": (None, "The box was damaged.", []),
        "repurchase": (None, "", ["4"]),
    }
    # and no request left this server
    server = urlsplit(live_server.url).netloc
    assert requested and {urlsplit(u).netloc for u in requested} == {server}
    assert SCREENSHOT.stat().st_size > 0
