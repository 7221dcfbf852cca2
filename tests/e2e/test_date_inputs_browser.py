"""Issue 15, item 7, in a real browser: an agent records an interaction in zh-hans and in en,
edits it, and filters the interaction list by date. The prefilled date and time must be one
Chromium understands, or the field shows empty and the form cannot be saved."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from manyi.customers.models import Interaction
from tests.factories import CustomerFactory

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SCREENSHOTS = Path("/tmp/team/forms/shots")
ISO_MINUTE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def _log_in(page, base, user):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("form.stack button[type=submit]")


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("locale", "lang", "save", "saved"),
    [
        ("zh-CN", "zh-hans", "保存", "互动记录已保存"),
        ("en-US", "en", "Save", "Interaction saved"),
    ],
)
def test_record_an_interaction_with_the_prefilled_time(
    live_server, agent, locale, lang, save, saved
):
    customer = CustomerFactory(team=agent.team)
    subject = f"delivery time {locale}"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(locale=locale, timezone_id="Asia/Shanghai")
        page = context.new_page()
        _log_in(page, live_server.url, agent)
        page.goto(f"{live_server.url}/customers/{customer.pk}/interactions/new/")
        assert page.get_attribute("html", "lang") == lang

        # the browser shows the prefilled time: the value is ISO, not "2026/12/01 23:13"
        occurred = page.input_value("#id_occurred_at")
        assert ISO_MINUTE.fullmatch(occurred), occurred
        _shot(page, f"interaction-new-{lang}")
        page.select_option("#id_kind", "inquiry")
        page.select_option("#id_channel", "phone")
        page.fill("#id_subject", subject)
        page.fill("#id_closed_at", occurred)  # what a date picker submits
        page.click(f"button[type=submit]:has-text('{save}')")
        page.wait_for_load_state()

        # saved, and the customer's timeline shows it at the time the form offered
        main = page.inner_text("main")
        assert saved in main, main
        assert subject in main
        assert occurred.replace("T", " ") in main

        # editing it: the stored time comes back into the form as the browser needs it, and
        # saving without touching it keeps it
        page.click("ol.timeline a[href$='/edit/']")
        assert page.input_value("#id_occurred_at") == occurred
        assert page.input_value("#id_closed_at") == occurred
        page.fill("#id_subject", subject + " (called back)")
        page.click(f"button[type=submit]:has-text('{save}')")
        page.wait_for_load_state()
        assert saved in page.inner_text("main")
        browser.close()

    interaction = Interaction.objects.get(customer=customer)
    assert interaction.subject == subject + " (called back)"
    assert abs(timezone.now() - interaction.occurred_at).total_seconds() < 300
    local = timezone.localtime(interaction.occurred_at)
    assert local.strftime("%Y-%m-%dT%H:%M") == occurred
    assert interaction.closed_at == interaction.occurred_at


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_interaction_date_filter_round_trips(live_server, agent, locale):
    customer = CustomerFactory(team=agent.team)
    today = timezone.localdate()
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=timezone.get_current_timezone())
    Interaction.objects.create(
        customer=customer, team=agent.team, kind="inquiry", channel="phone",
        subject="asked today", occurred_at=noon,
    )  # fmt: skip
    Interaction.objects.create(
        customer=customer, team=agent.team, kind="inquiry", channel="phone",
        subject="asked last week", occurred_at=noon - dt.timedelta(days=7),
    )  # fmt: skip
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_context(locale=locale, timezone_id="Asia/Shanghai").new_page()
        _log_in(page, live_server.url, agent)
        page.goto(live_server.url + "/customers/interactions/")
        week_ago = today - dt.timedelta(days=7)
        for since, until, shown, hidden in [
            (today, today, "asked today", "asked last week"),
            (week_ago, week_ago, "asked last week", "asked today"),
        ]:
            page.fill("#id_since", since.isoformat())
            page.fill("#id_until", until.isoformat())
            page.click("form.filters button[type=submit]")
            page.wait_for_load_state()
            # the filter applied, and the date pickers still show the chosen period
            assert f"since={since.isoformat()}" in page.url
            table = page.inner_text("table")
            assert shown in table and hidden not in table, table
            assert page.input_value("#id_since") == since.isoformat()
            assert page.input_value("#id_until") == until.isoformat()
        _shot(page, f"interaction-filter-{locale}")
        browser.close()
