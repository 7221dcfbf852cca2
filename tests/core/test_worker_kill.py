"""A worker killed mid-task (kill -9) loses nothing: another worker runs the task again."""

import os
import time
from pathlib import Path

import pytest
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from manyi.core.models import WorkerHeartbeat
from tests.worker_processes import wait_for


@task()
def slow_job(folder: str) -> int:
    """Notes each start, then waits for the test to release it."""
    folder_path = Path(folder)
    with (folder_path / "starts").open("a") as starts:
        starts.write(f"{os.getpid()}\n")
    deadline = time.monotonic() + 30
    while not (folder_path / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return len((folder_path / "starts").read_text().split())


def _starts(folder: Path) -> list[str]:
    path = folder / "starts"
    return path.read_text().split() if path.exists() else []


# serialized_rollback, as every transactional test here: the flush after it must not re-create
# content types, or the next test that restores the serialized database conflicts.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_task_of_a_killed_worker_runs_again_on_a_new_worker(shared_db, tmp_path):
    # given a task running on a worker
    result = slow_job.enqueue(str(tmp_path))
    shared_db.share()
    first = shared_db.start_worker(name="first")
    wait_for(lambda: _starts(tmp_path), timeout=20, what="the first start", logs=shared_db.log)

    # when the worker is killed and another one starts
    shared_db.kill(first)
    second = shared_db.start_worker(name="second")
    wait_for(
        lambda: len(_starts(tmp_path)) == 2,
        timeout=20,
        what="the task to start again",
        logs=lambda: shared_db.log("second"),
    )
    (tmp_path / "release").touch()
    assert shared_db.stop(second) == 0  # a graceful stop finishes the task first
    shared_db.collect()

    # then the task ran to the end on the second worker, and nothing is left running
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 2
    assert len(row.worker_ids) == 2
    assert _starts(tmp_path) == [str(first.pid), str(second.pid)]
    assert not DBTaskResult.objects.running().exists()
    # the dead worker's heartbeat stays (stale); the one that stopped cleanly removed its own
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == [row.worker_ids[0]]
