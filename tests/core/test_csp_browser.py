"""The Content-Security-Policy in a real browser: staff pages (charts included) load without a
single violation, and what used to be inline script (the question form's type switch, the
delete confirmation) still works from the static app.js."""

from pathlib import Path

import pytest
from django.urls import reverse

from manyi.surveys.models import Question
from manyi.surveys.services.design import survey_create

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_pages_keep_to_the_policy_and_still_work(live_server, analyst):
    survey = survey_create(user=analyst, title_zh="草稿调查", title_en="Draft survey")
    question = Question.objects.create(
        version=survey.current_version, code="overall", type="csat", scale_max=5, text_zh="总体"
    )
    edit = live_server.url + reverse("surveys:question_edit", args=[question.pk])
    survey_page = live_server.url + reverse("surveys:detail", args=[survey.pk])
    pages = [reverse("core:home"), reverse("analytics:overview"), reverse("surveys:list")]

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_context(locale="en-US").new_page()
        violations = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", "analyst")
        page.fill("#id_password", "pw-for-tests-1")
        page.click("form.stack button[type=submit]")
        for path in pages:
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")

        # the type switch: an open question has no answer scale, so that part hides
        page.goto(edit)
        answers = page.locator("fieldset[data-types]").first
        assert answers.is_visible()
        page.select_option("select[name=type]", "long_text")
        assert answers.is_hidden()
        page.select_option("select[name=type]", "csat")
        assert answers.is_visible()

        # the delete confirmation: dismissing it keeps the question
        page.goto(survey_page)
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.click("form[data-confirm] button[type=submit]")
        page.wait_for_load_state("networkidle")
        browser.close()

    assert asked, "no confirmation was asked before deleting"
    assert Question.objects.filter(pk=question.pk).exists()
    assert violations == []
