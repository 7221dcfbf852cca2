"""Imports run in the background, in batches: progress, resume after a kill, cancel, stalls."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from manyi.accounts.choices import Role
from manyi.customers import tasks
from manyi.customers.choices import ImportKind, ImportStatus
from manyi.customers.importing import (
    import_cancel,
    import_job_create,
    import_resume,
    import_run,
    import_start,
    services,
)
from manyi.customers.importing.progress import import_progress
from manyi.customers.models import Customer, ImportJob
from manyi.privacy.models import AuditEvent
from tests.factories import UserFactory

ROWS = 10
CSV = "external_id,name\n" + "".join(f"C{i},Name {i}\n" for i in range(ROWS))


@pytest.fixture
def small_batches(settings):
    settings.MANYI_IMPORT_BATCH_ROWS = 2
    settings.MANYI_JOB_STALE_SECONDS = 60


def make_job(user, text=CSV):
    upload = SimpleUploadedFile("people.csv", text.encode())
    return import_job_create(user=user, kind=ImportKind.CUSTOMERS, uploaded_file=upload)


class Killed(BaseException):
    """Stands for kill -9: nothing after it runs, no except Exception catches it."""


def die_in_batch(monkeypatch, number, *, after_saving=True, action=None):
    """Make batch `number` (1-based) stop the process; after its rows are written but before
    the bookkeeping when `after_saving`. `action(job_id)` runs instead of dying if given."""
    real = services._import_chunk
    calls = []

    def chunk(importer, rows):
        calls.append(rows)
        if len(calls) == number and not after_saving:
            raise Killed
        saved = real(importer, rows)
        if len(calls) == number:
            if action:
                action()
            else:
                raise Killed
        return saved

    monkeypatch.setattr(services, "_import_chunk", chunk)
    return calls


def stale(job):
    """Move the job's last heartbeat back past the stale period, as if its worker died."""
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=61)
    )
    job.refresh_from_db()


def customer_ids():
    return sorted(Customer.objects.values_list("external_id", flat=True))


def test_confirming_queues_a_task_after_commit(analyst, django_capture_on_commit_callbacks):
    job = make_job(analyst)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_start(job=job)
    assert job.status == ImportStatus.QUEUED
    assert len(callbacks) == 1
    assert not Customer.objects.exists()  # nothing runs inside the request
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the immediate backend of the tests runs the task now
    job.refresh_from_db()
    assert (job.status, job.created_count, job.rows_done) == (ImportStatus.DONE, ROWS, ROWS)


def test_the_task_runs_a_job_by_id_and_twice_does_no_harm(analyst, small_batches):
    job = make_job(analyst)
    import_start(job=job)
    assert tasks.import_job_run.call(job.pk) == ImportStatus.DONE
    assert tasks.import_job_run.call(job.pk) == ImportStatus.DONE
    job.refresh_from_db()
    assert (job.created_count, job.updated_count) == (ROWS, 0)
    assert tasks.import_job_run.call(10**9) == "missing"


@pytest.mark.parametrize("after_saving", [True, False])
def test_a_killed_run_resumes_after_its_last_committed_batch(
    analyst, small_batches, monkeypatch, django_capture_on_commit_callbacks, after_saving
):
    # given: a run killed in its third batch (before or after writing its rows)
    job = make_job(analyst)
    die_in_batch(monkeypatch, 3, after_saving=after_saving)
    with pytest.raises(Killed):
        import_run(job=job)
    job.refresh_from_db()
    # then: two batches in, with their bookkeeping; the third rolled back whole
    assert job.status == ImportStatus.RUNNING
    assert (job.rows_done, job.last_row, job.created_count) == (4, 5, 4)
    assert customer_ids() == sorted(f"C{i}" for i in range(4))
    assert not job.is_stalled()
    assert tasks.imports_resume_stalled.call() == 0  # a live job is left alone
    # when: its heartbeat is old, the periodic task resumes it
    stale(job)
    assert job.is_stalled()
    monkeypatch.undo()  # the next worker lives
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.imports_resume_stalled.call() == 1
    # then: every row exactly once, and counts as if it had never stopped
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.rows_done, job.created_count, job.updated_count) == (ROWS, ROWS, 0)
    assert customer_ids() == sorted(f"C{i}" for i in range(ROWS))
    assert job.message == ""


def test_a_run_that_lost_its_job_to_another_worker_commits_nothing_more(
    analyst, small_batches, monkeypatch
):
    # given: after batch 1, the job is taken over (its worker was wrongly thought dead)
    job = make_job(analyst)
    real = services._import_batch

    def batch_then_take_over(*args):
        committed = real(*args)
        ImportJob.objects.filter(pk=job.pk).update(run_token="someone-else")
        return committed

    monkeypatch.setattr(services, "_import_batch", batch_then_take_over)
    # when
    import_run(job=job)
    # then: batch 2 was not written, and the job is left to the run that holds it
    job.refresh_from_db()
    assert customer_ids() == ["C0", "C1"]
    assert (job.status, job.rows_done, job.run_token, job.message) == (
        ImportStatus.RUNNING,
        2,
        "someone-else",
        "",
    )


def test_cancel_stops_a_running_import_between_batches(analyst, small_batches, monkeypatch):
    # given: a cancel asked while batch 2 is being written
    job = make_job(analyst)
    die_in_batch(monkeypatch, 2, action=lambda: import_cancel(job=ImportJob.objects.get()))
    # when
    import_run(job=job)
    # then: batch 2 finishes, batch 3 does not start
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    assert (job.rows_done, job.created_count) == (4, 4)
    assert customer_ids() == ["C0", "C1", "C2", "C3"]
    assert job.message == "The import was cancelled; the rows up to row 5 were imported."
    assert job.finished_at is not None
    # and a late task does nothing
    assert tasks.import_job_run.call(job.pk) == ImportStatus.CANCELLED
    assert Customer.objects.count() == 4


def test_a_queued_or_stalled_import_is_cancelled_at_once(analyst, small_batches, monkeypatch):
    queued = make_job(analyst)
    import_start(job=queued)
    assert import_cancel(job=queued).status == ImportStatus.CANCELLED
    assert import_run(job=queued).status == ImportStatus.CANCELLED
    assert not Customer.objects.exists()
    # a stalled one: its dead worker's token no longer commits
    stalled = make_job(analyst)
    die_in_batch(monkeypatch, 2)
    with pytest.raises(Killed):
        import_run(job=stalled)
    stale(stalled)
    assert import_cancel(job=stalled).status == ImportStatus.CANCELLED
    assert stalled.run_token == ""
    assert import_resume(job=stalled) is False
    assert Customer.objects.count() == 2


def test_progress_shows_rows_rate_and_time_left(analyst):
    job = make_job(analyst)
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING,
        rows_done=6,
        rows_at_start=2,
        started_at=now - dt.timedelta(seconds=2),
        heartbeat_at=now,
    )
    job.refresh_from_db()
    progress = import_progress(job, now=now)
    assert (progress.rows_done, progress.total, progress.percent) == (6, ROWS, 60)
    assert progress.rate == pytest.approx(2.0)  # 4 rows in this run's 2 seconds
    assert progress.seconds_left == 2
    assert progress.time_left == "2 s"
    assert not progress.stalled


def test_the_page_of_a_running_import_follows_its_progress(client, analyst, settings):
    # given: a running import, half done
    job = make_job(analyst)
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, rows_done=5, started_at=now, heartbeat_at=now
    )
    client.force_login(analyst)
    # when
    page = client.get(job.get_absolute_url()).content.decode()
    status = client.get(reverse("customers:import_status", args=[job.pk]))
    # then: a progress bar, updated by a script or, without one, by a refresh
    assert '<progress max="10" value="5">' in page
    assert "5 of 10 rows (50 %)" in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert "customers/import_progress.js" in page
    assert reverse("customers:import_cancel", args=[job.pk]) in page
    assert reverse("customers:import_resume", args=[job.pk]) not in page
    data = json.loads(status.content)
    assert status["Cache-Control"] == "no-store"
    assert (data["status"], data["active"], data["stalled"]) == ("running", True, False)
    assert (data["rows_done"], data["total"]) == (5, 10)
    assert "5 of 10 rows (50 %)" in data["html"]
    # and in Chinese
    settings.LANGUAGE_CODE = "zh-hans"
    assert "已导入 5 / 10 行" in client.get(job.get_absolute_url()).content.decode()


def test_a_stalled_import_is_shown_as_such_and_can_be_resumed(
    client, analyst, small_batches, django_capture_on_commit_callbacks
):
    # given: a job left running by a worker that died
    job = make_job(analyst)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, run_token="dead")
    stale(job)
    client.force_login(analyst)
    # when
    page = client.get(job.get_absolute_url()).content.decode()
    listing = client.get(reverse("customers:import_list")).content.decode()
    # then
    assert "Stalled" in page and "Stalled" in listing
    assert "has made no progress for a while" in page
    assert reverse("customers:import_resume", args=[job.pk]) in page
    assert json.loads(client.get(reverse("customers:import_status", args=[job.pk])).content)[
        "stalled"
    ]
    # when: resumed from the page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:import_resume", args=[job.pk]))
    # then
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, ROWS)


def test_cancel_from_the_page(client, analyst):
    job = make_job(analyst)
    import_start(job=job)
    client.force_login(analyst)
    response = client.post(reverse("customers:import_cancel", args=[job.pk]), follow=True)
    assert "The import is cancelled." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    assert client.get(reverse("customers:import_cancel", args=[job.pk])).status_code == 405


def test_other_users_cannot_follow_cancel_or_resume_an_import(client, analyst):
    job = make_job(analyst)
    import_start(job=job)
    other = UserFactory(username="analyst2", role=Role.ANALYST)
    client.force_login(other)
    assert client.get(reverse("customers:import_status", args=[job.pk])).status_code == 404
    for name in ("customers:import_cancel", "customers:import_resume"):
        assert client.post(reverse(name, args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED


def test_the_background_run_reports_in_the_uploaders_language(analyst):
    # given: uploaded from an English page; the worker runs in the site's language (Chinese)
    with translation.override("en"):
        job = make_job(analyst, "external_id,name\nC1,\n")
    # when
    with translation.override("zh-hans"):
        tasks.import_job_run.call(job.pk)
    # then
    job.refresh_from_db()
    assert [error["message"] for error in job.errors] == ["This value is required."]


def test_confirming_an_import_is_in_the_audit_log(client, analyst):
    # given an uploaded file awaiting confirmation
    job = make_job(analyst)
    client.force_login(analyst)
    # when the analyst confirms it
    client.post(job.get_absolute_url())
    # then the audit log names who started which import, not the rows
    event = AuditEvent.objects.get(object_type="importjob")
    assert (event.actor, event.action, event.object_id) == (analyst, "change", str(job.pk))
    assert event.detail["import"] == ImportKind.CUSTOMERS
