"""An import whose worker is killed (kill -9) mid-run goes on, on another worker, from its last
committed batch: every row is imported exactly once and the counts are those of one clean run.

Real processes: `manyi worker` (tests/worker_processes.py) against a database shared with the
test, the worker's recovery re-queues the dead worker's task, and the import resumes itself."""

import sqlite3

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count

from manyi.core.storage import PrivateStorage
from manyi.customers.choices import ImportKind, ImportStatus
from manyi.customers.importing import import_job_create, import_start
from manyi.customers.models import Customer, ImportJob
from tests.factories import UserFactory
from tests.worker_processes import SharedDatabase, wait_for

ROWS = 20_000
EXISTING = 1_000  # customers already there: their rows update them
BAD_ROWS = {1_200: "before the kill", 15_000: "after it", 19_990: "near the end"}  # no name
BATCH = 250


def customers_csv() -> bytes:
    lines = ["external_id,name,city"]
    for i in range(ROWS):
        name = "" if i in BAD_ROWS else f"Customer {i}"
        lines.append(f"K{i:05d},{name},Shanghai")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def shared_db(shared_db, tmp_path, monkeypatch):
    # The workers read the upload from their private storage: MANYI_DATA_DIR/private.
    field = ImportJob._meta.get_field("file")
    monkeypatch.setattr(field, "storage", PrivateStorage(location=tmp_path / "private"))
    return shared_db


def job_state(shared: SharedDatabase, job_id: int) -> tuple[str, int]:
    """(status, rows_done) as the workers see it, read live from the shared database."""
    if shared.sqlite:
        with sqlite3.connect(shared.file, timeout=20) as db:
            row = db.execute(
                "SELECT status, rows_done FROM customers_importjob WHERE id = ?", [job_id]
            ).fetchone()
        return row[0], row[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, rows_done FROM customers_importjob WHERE id = %s", [job_id])
        return cursor.fetchone()


# serialized_rollback: the flush after this test must not re-create content types (PostgreSQL
# gives them new ids), or the next test that restores the serialized database conflicts.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_killed_mid_run_finishes_on_a_new_worker_with_each_row_once(shared_db):
    # given: some customers exist, and an import of 20,000 rows is confirmed
    user = UserFactory(username="importer")
    Customer.objects.bulk_create(
        [Customer(external_id=f"K{i:05d}", name=f"Old {i}") for i in range(EXISTING)]
    )
    job = import_job_create(
        user=user,
        kind=ImportKind.CUSTOMERS,
        uploaded_file=SimpleUploadedFile("customers.csv", customers_csv()),
    )
    assert job.total_rows == ROWS
    import_start(job=job)  # no transaction around the test: the task is queued at once
    shared_db.share()
    env = {"MANYI_IMPORT_BATCH_ROWS": str(BATCH), "MANYI_JOB_STALE_SECONDS": "1"}

    # when: the worker is killed once a few batches are in
    first = shared_db.start_worker(name="first", **env)
    wait_for(
        lambda: job_state(shared_db, job.pk)[1] >= 6 * BATCH,
        timeout=30,
        what="a few batches",
        logs=lambda: shared_db.log("first"),
    )
    shared_db.kill(first)
    status, done_at_kill = job_state(shared_db, job.pk)
    assert status == ImportStatus.RUNNING
    assert done_at_kill < ROWS, "the import finished before the kill: make the file bigger"

    # and another worker starts: the dead worker's task runs again and the import resumes
    second = shared_db.start_worker(name="second", **env)
    wait_for(
        lambda: job_state(shared_db, job.pk)[0] != ImportStatus.RUNNING,
        timeout=40,
        what="the import to finish",
        logs=lambda: shared_db.log("second"),
    )
    assert shared_db.stop(second) == 0
    shared_db.collect()

    # then: done, every row once, counts as for one clean run
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, (job.message, shared_db.log("second"))
    assert job.rows_done == ROWS
    assert job.rows_at_start == done_at_kill  # the second run went on from the last batch
    assert (job.created_count, job.updated_count, job.failed_count) == (
        ROWS - EXISTING - len(BAD_ROWS),
        EXISTING,
        len(BAD_ROWS),
    )
    assert sorted(error["row"] for error in job.errors) == sorted(i + 2 for i in BAD_ROWS)
    assert Customer.objects.count() == ROWS - len(BAD_ROWS)
    assert not Customer.objects.values("external_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert Customer.objects.get(external_id="K00000").name == "Customer 0"
    assert Customer.objects.get(external_id=f"K{ROWS - 1:05d}").name == f"Customer {ROWS - 1}"
