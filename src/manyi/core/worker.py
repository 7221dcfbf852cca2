"""The background worker (`manyi worker`): django_tasks_db's worker loop, plus recovery of the
tasks of workers that died.

A worker killed in the middle of a task (kill -9, out of memory, a lost machine) leaves its
task RUNNING for ever: nothing in django_tasks_db ever looks at it again. So each worker
process keeps a heartbeat row (core.WorkerHeartbeat), refreshed by a background thread every
MANYI_WORKER_HEARTBEAT_SECONDS, and every worker, when it starts and then every half stale
period, puts back in the queue (READY) each RUNNING task whose worker has not been seen for
MANYI_WORKER_STALE_SECONDS. Tasks are written to be safe to run twice, so running one again
is correct. A task is claimed at most MANYI_WORKER_MAX_ATTEMPTS times (the claims are the
backend's own `worker_ids` list): a task that kills its worker every time ends FAILED with
WorkerDied instead of killing every worker in turn.

The stale period must be well above the heartbeat period: a live worker whose heartbeat is
late (a database locked for longer than that) would see its task run a second time."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

log = logging.getLogger(__name__)

# Heartbeat rows of workers gone for this long are deleted; their tasks were recovered long
# before (the stale period is seconds to minutes).
HEARTBEAT_RETENTION = dt.timedelta(days=1)


class WorkerDied(Exception):
    """Recorded as the error of a task whose worker died on each of its attempts."""


def heartbeat_seconds() -> float:
    return float(getattr(settings, "MANYI_WORKER_HEARTBEAT_SECONDS", 5))


def stale_seconds() -> float:
    return float(getattr(settings, "MANYI_WORKER_STALE_SECONDS", 60))


def max_attempts() -> int:
    return int(getattr(settings, "MANYI_WORKER_MAX_ATTEMPTS", 3))


def new_worker_id() -> str:
    """Unique across the pool, and readable: which machine and process ran a task."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


def worker_is_alive(worker_id: str, *, now=None, stale: float | None = None) -> bool:
    """Whether the worker with this id has sent a heartbeat within the stale period."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_seconds() if stale is None else stale)
    return WorkerHeartbeat.objects.filter(worker_id=worker_id, seen_at__gte=cutoff).exists()


def heartbeat(worker_id: str, *, started_at: dt.datetime, now=None) -> None:
    """Record that the worker is alive (creating its row on the first beat)."""
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": started_at,
                "seen_at": now,
            },
        )


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def requeue_orphaned_tasks(
    *,
    backend_name: str = "default",
    now=None,
    stale: float | None = None,
    attempts: int | None = None,
) -> Recovery:
    """Put back in the queue the RUNNING tasks whose worker stopped beating.

    A task's worker is the last id in its `worker_ids`. It is dead when its heartbeat is older
    than the stale period, or when it has no heartbeat row (a worker without heartbeats, or
    one pruned long ago) and the task started longer ago than the stale period. A task already
    claimed `attempts` times is marked FAILED instead. Safe to run in several workers at once:
    each row is re-read under a lock, and changed only if still in the state that was judged."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_seconds() if stale is None else stale)
    attempts = max_attempts() if attempts is None else attempts
    recovery = Recovery()
    running = list(
        DBTaskResult.objects.running()
        .filter(backend_name=backend_name)
        .only("id", "status", "started_at", "worker_ids", "task_path")
    )
    if not running:
        return recovery
    last_worker = {row.pk: (row.worker_ids or [""])[-1] for row in running}
    seen_at = dict(
        WorkerHeartbeat.objects.filter(worker_id__in=set(last_worker.values())).values_list(
            "worker_id", "seen_at"
        )
    )
    for row in running:
        worker = last_worker[row.pk]
        last_sign_of_life = seen_at.get(worker) or row.started_at
        if last_sign_of_life is not None and last_sign_of_life >= cutoff:
            continue
        with transaction.atomic():
            task_result = (
                DBTaskResult.objects.select_for_update()
                .filter(pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at)
                .first()
            )
            if task_result is None:  # finished, or recovered by another worker meanwhile
                continue
            if len(task_result.worker_ids) >= attempts:
                task_result.set_failed(
                    WorkerDied(
                        f"The worker running this task ({worker}) died on each of "
                        f"{len(task_result.worker_ids)} attempts."
                    )
                )
                recovery.failed.append(str(task_result.pk))
                log.error(
                    "task %s (%s) failed: its worker died on each of %d attempts",
                    task_result.pk,
                    task_result.task_path,
                    len(task_result.worker_ids),
                )
            else:
                task_result.status = TaskResultStatus.READY
                task_result.save(update_fields=["status"])
                recovery.requeued.append(str(task_result.pk))
                log.warning(
                    "task %s (%s) re-queued: its worker %s stopped (last seen %s)",
                    task_result.pk,
                    task_result.task_path,
                    worker,
                    last_sign_of_life,
                )
    return recovery


def prune_heartbeats(*, now=None) -> int:
    now = now or timezone.now()
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_RETENTION).delete()
    return deleted


class Worker(db_worker.Worker):
    """django_tasks_db's worker with a heartbeat and recovery of dead workers' tasks."""

    def __init__(
        self, *, heartbeat_seconds: float, stale_seconds: float, max_attempts: int, **kwargs
    ):
        super().__init__(**kwargs)
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_seconds = stale_seconds
        self.max_attempts = max_attempts
        self.recover_every = max(heartbeat_seconds, stale_seconds / 2)
        self._stopping = threading.Event()
        self._started_at = timezone.now()

    def recover(self) -> Recovery:
        return requeue_orphaned_tasks(
            backend_name=self.backend_name, stale=self.stale_seconds, attempts=self.max_attempts
        )

    def _beat_forever(self) -> None:
        next_recovery = time.monotonic() + self.recover_every
        try:
            while not self._stopping.wait(self.heartbeat_seconds):
                try:
                    heartbeat(self.worker_id, started_at=self._started_at)
                    if time.monotonic() >= next_recovery:
                        self.recover()
                        prune_heartbeats()
                        next_recovery = time.monotonic() + self.recover_every
                except Exception:  # a database hiccup must not stop the heartbeat for good
                    log.exception("worker %s: heartbeat failed", self.worker_id)
                finally:
                    close_old_connections()
        finally:
            connection.close()

    def run(self) -> None:
        heartbeat(self.worker_id, started_at=self._started_at)
        self.recover()
        beating = threading.Thread(
            target=self._beat_forever, name="manyi-worker-heartbeat", daemon=True
        )
        beating.start()
        try:
            super().run()
        finally:
            self._stopping.set()
            beating.join(timeout=self.heartbeat_seconds + 5)
            # A clean exit leaves no task behind (a task is finished or marked failed first).
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
