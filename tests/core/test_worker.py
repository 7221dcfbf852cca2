"""Recovery of the tasks of workers that died (manyi.core.worker), without processes."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from manyi.core.models import WorkerHeartbeat
from manyi.core.worker import (
    WorkerDied,
    heartbeat,
    prune_heartbeats,
    requeue_orphaned_tasks,
    worker_is_alive,
)

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _running(*worker_ids, started=NOW - dt.timedelta(minutes=5), backend="default"):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="manyi.surveys.tasks.invitations_send_due",
        backend_name=backend,
        run_after=get_date_max(),
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=list(worker_ids),
    )


def _beat(worker_id, seen_at):
    heartbeat(worker_id, started_at=seen_at, now=seen_at)


@pytest.mark.django_db
def test_a_task_whose_worker_stopped_beating_is_queued_again():
    # given a task on a worker last seen 61 s ago, one on a worker seen 5 s ago
    _beat("dead", NOW - dt.timedelta(seconds=61))
    _beat("alive", NOW - dt.timedelta(seconds=5))
    orphan = _running("dead")
    busy = _running("alive")

    # when
    recovery = requeue_orphaned_tasks(now=NOW, stale=60, attempts=3)

    # then only the dead worker's task is ready to run again, as it was enqueued
    assert recovery.requeued == [str(orphan.pk)]
    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY
    assert orphan.worker_ids == ["dead"]
    assert DBTaskResult.objects.ready().filter(pk=orphan.pk).exists()
    assert busy.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_of_a_worker_without_heartbeat_waits_for_the_stale_period():
    # given tasks of a worker that never beat (a plain db_worker), started 2 min and 10 s ago
    old = _running("unknown", started=NOW - dt.timedelta(minutes=2))
    recent = _running("unknown", started=NOW - dt.timedelta(seconds=10))

    requeue_orphaned_tasks(now=NOW, stale=60, attempts=3)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == TaskResultStatus.READY
    assert recent.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_the_last_worker_decides_not_an_earlier_one():
    # given a task re-run by a live worker after its first worker died
    _beat("dead", NOW - dt.timedelta(hours=1))
    _beat("alive", NOW - dt.timedelta(seconds=1))
    task = _running("dead", "alive")

    assert requeue_orphaned_tasks(now=NOW, stale=60, attempts=3).requeued == []
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_that_killed_its_worker_max_attempts_times_fails():
    # given a task started three times, each time on a worker that died
    for worker in ("w1", "w2", "w3"):
        _beat(worker, NOW - dt.timedelta(minutes=10))
    task = _running("w1", "w2", "w3")

    recovery = requeue_orphaned_tasks(now=NOW, stale=60, attempts=3)

    assert recovery.failed == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.finished_at is not None
    assert task.exception_class_path == f"{WorkerDied.__module__}.WorkerDied"
    assert "died on each of 3 attempts" in task.traceback


@pytest.mark.django_db
def test_recovery_leaves_other_backends_and_other_states_alone():
    other_backend = _running("gone", backend="other")
    finished = _running("gone")
    finished.set_successful(None)

    assert requeue_orphaned_tasks(now=NOW, stale=60, attempts=3).requeued == []
    other_backend.refresh_from_db()
    finished.refresh_from_db()
    assert other_backend.status == TaskResultStatus.RUNNING
    assert finished.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_recovery_twice_requeues_once():
    task = _running("gone")
    assert requeue_orphaned_tasks(now=NOW, stale=60).requeued == [str(task.pk)]
    assert requeue_orphaned_tasks(now=NOW, stale=60).requeued == []


@pytest.mark.django_db
def test_heartbeat_keeps_one_row_per_worker_and_says_who_is_alive():
    started = NOW - dt.timedelta(minutes=1)
    heartbeat("w", started_at=started, now=started)
    heartbeat("w", started_at=started, now=NOW)

    row = WorkerHeartbeat.objects.get()
    assert (row.worker_id, row.started_at, row.seen_at) == ("w", started, NOW)
    assert row.pid > 0 and row.hostname
    assert worker_is_alive("w", now=NOW + dt.timedelta(seconds=59), stale=60)
    assert not worker_is_alive("w", now=NOW + dt.timedelta(seconds=61), stale=60)
    assert not worker_is_alive("other", now=NOW, stale=60)


@pytest.mark.django_db
def test_heartbeats_of_workers_gone_for_a_day_are_pruned():
    _beat("old", NOW - dt.timedelta(days=2))
    _beat("recent", NOW - dt.timedelta(hours=2))
    assert prune_heartbeats(now=NOW) == 1
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent"]


def test_the_worker_refuses_a_stale_period_shorter_than_two_heartbeats(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with pytest.raises(CommandError, match="at least twice the heartbeat"):
        call_command("worker", "--heartbeat=5", "--stale-after=8", "--no-reload")


# transaction=True: the worker loop closes connections between tasks, as it must.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_in_batch_mode_recovers_runs_and_leaves_no_heartbeat(settings):
    # given an orphaned task (its worker vanished 2 min ago) and the database backend
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _beat("vanished", timezone.now() - dt.timedelta(minutes=2))
    task = _running("vanished", started=timezone.now() - dt.timedelta(minutes=2))

    # when a worker runs what is queued and exits
    call_command("worker", "--batch", "--no-startup-delay", "--worker-id=w2", verbosity=0)

    # then it re-queued the task at start and ran it, and removed its own heartbeat
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids == ["vanished", "w2"]
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["vanished"]
