"""Issue 15, item 14, in a real browser at 390 px wide: no staff page scrolls sideways, the top
bar is one row (at most 64 px) with a menu button that opens the menu without script, tables
scroll inside their own box, and the NPS buttons of the survey page are at least 40 px."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from manyi.core.staff_pages import staff_pages
from manyi.surveys.services import design

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
SMALL = ("--customers", "60", "--purchases", "200", "--interactions", "100", "--responses", "150")


def _log_in(page, base):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "manyi-demo")
    page.click("form.stack button[type=submit]")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_staff_page_fits_a_phone(live_server):
    until = dt.date.today().isoformat()
    call_command("demo_data", *SMALL, "--until", until, stdout=StringIO())
    pages = staff_pages()
    assert len(pages) > 40
    problems = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for locale in ("zh-CN", "en-US"):
            page = browser.new_context(viewport=PHONE, locale=locale).new_page()
            _log_in(page, live_server.url)
            for name, url in pages:
                response = page.goto(live_server.url + url)
                # 409: a locked survey refuses a new question, on a page of its own
                assert response.status < 400 or response.status == 409, (name, response.status)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert page.locator("header.topbar").count() == 1, (name, page.url)
                bar = page.evaluate(
                    "document.querySelector('header.topbar').getBoundingClientRect().height"
                )
                if width > PHONE["width"] or bar > 64:
                    problems.append((locale, name, width, bar))
            # the menu button opens the menu, without any script
            page.goto(live_server.url + "/")
            menu = page.locator("#site-menu")
            assert menu.is_hidden()
            page.click("label.menu-button")
            assert menu.is_visible()
            assert page.locator("#site-menu nav a").count() >= 5
        browser.close()
    assert problems == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nps_buttons_are_big_enough_to_tap(live_server, analyst):
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="nps_relationship")
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
        page.goto(f"{live_server.url}/p/{survey.public_token}/")
        boxes = page.evaluate(
            "[...document.querySelector('.sc').querySelectorAll('label span')]"
            ".map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height, r.top]; })"
        )
        assert len(boxes) == 11  # 0-10
        assert all(w >= 40 and h >= 40 for w, h, _top in boxes), boxes
        assert len({round(top) for _w, _h, top in boxes}) == 2  # two rows
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        browser.close()
