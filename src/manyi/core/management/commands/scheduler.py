"""Enqueue the periodic jobs in settings.MANYI_PERIODIC_TASKS when each falls due.

It only enqueues: workers (`manyi worker`, or the Redis-backed workers at scale) run the
jobs. Run exactly one scheduler; the jobs are idempotent, so a second one wastes work but
does no harm. `--once` enqueues everything once and exits (for cron)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Enqueue periodic background jobs (sending, reminders, triggers) when due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue every job once, exit.")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks.")

    def handle(self, *args, once: bool, tick: float, **options):
        jobs = [(path, import_string(path), every) for path, every in settings.MANYI_PERIODIC_TASKS]
        next_run = dict.fromkeys((path for path, _job, _every in jobs), 0.0)
        while True:
            now = time.monotonic()
            for path, job, every in jobs:
                if now >= next_run[path]:
                    job.enqueue()
                    next_run[path] = now + every
                    if options["verbosity"] > 1:
                        self.stdout.write(f"enqueued {path}")
            if once:
                return
            time.sleep(tick)
