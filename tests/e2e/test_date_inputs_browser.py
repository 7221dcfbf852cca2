"""Issue 15, item 7, in a real browser: an agent records an interaction in zh-hans and in en.
The prefilled date and time must be one Chromium understands, or the field shows empty and
the form cannot be saved."""

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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("locale", "save", "saved"),
    [("zh-CN", "保存", "互动记录已保存"), ("en-US", "Save", "Interaction saved")],
)
def test_record_an_interaction_with_the_prefilled_time(live_server, agent, locale, save, saved):
    customer = CustomerFactory(team=agent.team)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_context(locale=locale, timezone_id="Asia/Shanghai").new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", agent.username)
        page.fill("#id_password", "pw-for-tests-1")
        page.click("form.stack button[type=submit]")
        page.goto(f"{live_server.url}/customers/{customer.pk}/interactions/new/")

        # the browser shows the prefilled time: the value is ISO, not "2026/12/01 23:13"
        occurred = page.input_value("#id_occurred_at")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", occurred), occurred
        assert page.get_attribute("html", "lang") == ("zh-hans" if locale == "zh-CN" else "en")
        page.select_option("#id_kind", "inquiry")
        page.select_option("#id_channel", "phone")
        page.fill("#id_subject", f"delivery time {locale}")
        page.fill("#id_closed_at", occurred)  # what a date picker submits
        page.click(f"button[type=submit]:has-text('{save}')")
        page.wait_for_load_state()
        assert saved in page.content(), page.inner_text("main")
        browser.close()

    interaction = Interaction.objects.get(subject=f"delivery time {locale}")
    assert interaction.customer == customer
    assert abs(timezone.now() - interaction.occurred_at).total_seconds() < 300
    assert interaction.closed_at == interaction.occurred_at
