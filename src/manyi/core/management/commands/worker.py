"""Run background tasks: `manyi worker` (use it instead of django_tasks_db's `db_worker`).

The same loop and options as `db_worker`, plus a heartbeat per worker process and recovery of
the tasks of workers that died (see manyi.core.worker). Run as many as you like, on as many
machines as share the database."""

import logging
import os
from argparse import ArgumentTypeError

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from manyi.core import worker as manyi_worker


def positive_float(value: str) -> float:
    number = db_worker.valid_interval(value)
    if number <= 0:
        raise ArgumentTypeError("Must be greater than zero")
    return number


class Command(db_worker.Command):
    help = (
        "Run background tasks, with a heartbeat; re-queue the tasks of workers that stopped "
        "sending theirs."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=manyi_worker.new_worker_id())
        parser.add_argument(
            "--heartbeat",
            type=positive_float,
            default=None,
            help="Seconds between heartbeats (default: settings.MANYI_WORKER_HEARTBEAT_SECONDS).",
        )
        parser.add_argument(
            "--stale-after",
            type=positive_float,
            default=None,
            help="Seconds without a heartbeat after which a worker counts as dead and its task "
            "is re-queued (default: settings.MANYI_WORKER_STALE_SECONDS).",
        )
        parser.add_argument(
            "--max-attempts",
            type=db_worker.valid_max_tasks,
            default=None,
            help="Times a task may be started before a dead worker's task is marked failed "
            "(default: settings.MANYI_WORKER_MAX_ATTEMPTS).",
        )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        heartbeat,
        stale_after,
        max_attempts,
        **options,
    ):
        self.configure_logging(verbosity)
        if verbosity > 0:
            logging.getLogger("manyi.core.worker").setLevel(logging.INFO)
        heartbeat = heartbeat or manyi_worker.heartbeat_seconds()
        stale_after = stale_after or manyi_worker.stale_seconds()
        max_attempts = max_attempts or manyi_worker.max_attempts()
        if stale_after < 2 * heartbeat:
            raise CommandError(
                f"The stale period ({stale_after:g} s) must be at least twice the heartbeat "
                f"period ({heartbeat:g} s), or live workers would count as dead."
            )
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")

        worker = manyi_worker.Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
            heartbeat_seconds=heartbeat,
            stale_seconds=stale_after,
            max_attempts=max_attempts,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
