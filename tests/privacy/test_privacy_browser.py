"""The personal-data features from the UI, on a 390 px wide phone screen: an agent reveals a
customer's phone number; an administrator reads the audit log, in Chinese."""

from pathlib import Path

import pytest

from manyi.privacy.choices import AuditAction
from manyi.privacy.models import AuditEvent
from tests.factories import ContactPointFactory, CustomerFactory

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PHONE = "13812345678"

# Wider than the screen only inside a scrolling table: the page itself never scrolls sideways.
_OVERFLOW = "document.scrollingElement.scrollWidth > window.innerWidth + 1"


def _login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("form.stack button[type=submit]")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reveal_a_phone_then_find_it_in_the_audit_log(live_server, agent, admin_user):
    customer = CustomerFactory(name="Zhang San", team=agent.team)
    contact = ContactPointFactory(customer=customer, kind="phone", value=PHONE)
    base = live_server.url
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        phone = {"viewport": {"width": 390, "height": 844}}
        staff = browser.new_context(locale="en-US", **phone).new_page()
        _login(staff, base, agent.username)
        staff.goto(f"{base}/customers/{customer.pk}/")
        assert "138****5678" in staff.content() and PHONE not in staff.content()
        assert not staff.evaluate(_OVERFLOW)
        staff.click("button:has-text('Reveal')")
        assert PHONE in staff.inner_text(f"#contact-{contact.pk}")

        admin = browser.new_context(locale="zh-CN", **phone).new_page()
        _login(admin, base, admin_user.username)
        admin.click("label.menu-button")  # at 390 px the menu folds behind its button
        admin.click("nav >> text=审计日志")
        admin.select_option("select[name=action]", AuditAction.REVEAL)
        admin.click("form.filters button[type=submit]")
        rows = admin.locator("tbody tr")
        assert rows.count() == 1 and "agent_east" in rows.first.inner_text()
        assert not admin.evaluate(_OVERFLOW)
        browser.close()
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL, actor=agent).count() == 1
