"""Models of the core app: what the platform itself needs to run, not any business domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per running `manyi worker` process, refreshed every few seconds.

    A task whose worker's row is older than settings.MANYI_WORKER_STALE_SECONDS (or gone) was
    left behind by a worker that died; the other workers put it back in the queue
    (see manyi.core.worker)."""

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("host name"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}, pid {self.pid})"
