"""An improvement action planned in a real browser, in zh-hans and in en: the form's date
fields come prefilled with windows the browser understands (ISO), saving keeps them, the
action's page shows its windows and the timeline chart, and editing brings the dates back.
At 390 px wide the page does not scroll sideways."""

import datetime as dt
import re
from pathlib import Path

import pytest

from manyi.improvement.models import Improvement
from tests.factories import CustomerFactory

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("locale", "lang", "save", "saved"),
    [
        ("zh-CN", "zh-hans", "保存", "改进措施已保存"),
        ("en-US", "en", "Save", "Improvement action saved"),
    ],
)
def test_plan_an_improvement_action_with_its_windows(
    live_server, analyst, locale, lang, save, saved
):
    CustomerFactory(region="East")
    CustomerFactory(region="West")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            locale=locale, timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 900}
        )
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", analyst.username)
        page.fill("#id_password", "pw-for-tests-1")
        page.click("form.stack button[type=submit]")
        page.goto(f"{live_server.url}/improvement/new/?metric=csat&group=region:East")
        assert page.get_attribute("html", "lang") == lang
        windows = {
            name: page.input_value(f"#id_{name}")
            for name in ("before_since", "before_until", "after_since", "after_until")
        }
        assert all(ISO_DAY.fullmatch(v) for v in windows.values()), windows
        page.fill("#id_title", f"Faster delivery {lang}")
        page.fill("#id_problem", "Late parcels")
        page.fill("#id_due", "2027-01-15")  # what a date picker submits
        page.select_option("#id_comparison", "group")
        page.select_option("#id_comparison_group", "region:West")
        page.click(f"button[type=submit]:has-text('{save}')")
        page.wait_for_load_state()
        main = page.inner_text("main")
        assert saved in main, main
        assert f"{windows['after_since']} – {windows['after_until']}" in main
        page.wait_for_selector("[data-chart=action-timeline] canvas")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(page.url.rstrip("/") + "/edit/")
        assert page.input_value("#id_due") == "2027-01-15"
        assert page.input_value("#id_before_since") == windows["before_since"]
        browser.close()
    # (the database is read outside the browser's event loop)
    action = Improvement.objects.get(title=f"Faster delivery {lang}")
    assert action.due == dt.date(2027, 1, 15)
    assert action.before_since.isoformat() == windows["before_since"]
    assert (action.scope, action.scope_value, action.comparison_value) == ("region", "East", "West")
