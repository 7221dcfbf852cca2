"""How far a running import is: rows done of total, the rate of the current run, time left."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import ImportStatus
from ..models import ImportJob


@dataclass(frozen=True)
class ImportProgress:
    status: str
    rows_done: int
    total: int
    rate: float | None  # rows per second in the current run, once a batch is in
    seconds_left: int | None
    stalled: bool
    cancelling: bool

    @property
    def active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, self.rows_done * 100 // self.total)

    @property
    def time_left(self) -> str:
        return duration_text(self.seconds_left) if self.seconds_left is not None else ""


def import_progress(job: ImportJob, *, now=None) -> ImportProgress:
    now = now or timezone.now()
    total = max(job.total_rows, job.rows_done)
    rate = seconds_left = None
    if job.status == ImportStatus.RUNNING and job.started_at and job.heartbeat_at:
        elapsed = (job.heartbeat_at - job.started_at).total_seconds()
        done_now = job.rows_done - job.rows_at_start
        if elapsed > 0 and done_now > 0:
            rate = done_now / elapsed
            seconds_left = round((total - job.rows_done) / rate)
    return ImportProgress(
        status=job.status,
        rows_done=job.rows_done,
        total=total,
        rate=rate,
        seconds_left=seconds_left,
        stalled=job.is_stalled(now=now),
        cancelling=job.cancel_requested and job.status == ImportStatus.RUNNING,
    )


def duration_text(seconds: int) -> str:
    if seconds < 60:
        return _("%(seconds)d s") % {"seconds": seconds}
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)d min") % {"hours": minutes // 60, "minutes": minutes % 60}
