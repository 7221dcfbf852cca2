"""The page of a running import follows it by itself (under the site's Content-Security-Policy),
on a phone, until the report shows."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from manyi.customers.choices import ImportKind, ImportStatus
from manyi.customers.importing import import_job_create
from manyi.customers.models import ImportJob

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
CSV = "external_id,name\n" + "".join(f"C{i},Name {i}\n" for i in range(10))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_progress_updates_itself_then_the_report_shows(live_server, analyst, monkeypatch):
    # The test plays the worker with the ORM while Playwright's event loop runs in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # given: an import that is running, two rows of ten in
    job = import_job_create(
        user=analyst,
        kind=ImportKind.CUSTOMERS,
        uploaded_file=SimpleUploadedFile("people.csv", CSV.encode()),
    )
    running = ImportJob.objects.filter(pk=job.pk)
    now = timezone.now()
    running.update(status=ImportStatus.RUNNING, rows_done=2, started_at=now, heartbeat_at=now)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 800})
        page = context.new_page()
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", "analyst")
        page.fill("#id_password", "pw-for-tests-1")
        page.click("form.stack button[type=submit]")
        page.goto(live_server.url + job.get_absolute_url())
        assert "2 of 10 rows (20 %)" in page.inner_text("#import-progress")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.evaluate("window.notReloaded = true")

        # when: the worker commits more batches
        running.update(rows_done=7, heartbeat_at=timezone.now())
        # then: the page shows it without being reloaded
        sync_api.expect(page.locator("#import-progress")).to_contain_text(
            "7 of 10 rows", timeout=10_000
        )
        assert page.evaluate("window.notReloaded") is True
        assert page.get_attribute("#import-progress progress", "value") == "7"

        # when: the import finishes, the page turns into the report
        running.update(status=ImportStatus.DONE, rows_done=10, created_count=10)
        page.wait_for_selector("text=Every row was imported.", timeout=10_000)
        assert page.locator("#import-progress").count() == 0
        browser.close()
