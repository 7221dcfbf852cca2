"""Background jobs of the customers domain. Each loads by id (or scans) and calls a service, so
running one twice does no harm."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .choices import ImportStatus
from .importing import services
from .models import ImportJob


@task()
def import_job_run(job_id: int) -> str:
    """Run (or resume) an import; a job that is done or cancelled is left as it is."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    job = services.import_run(job=job)
    if job.status == ImportStatus.RUNNING:
        # Another run holds the job. Either it is alive (this task is a duplicate), or its
        # worker died so recently that the job does not count as stalled yet (this task was
        # queued again by the worker's recovery): look again once it would.
        _look_again(job)
    return job.status


@task()
def imports_resume_stalled() -> int:
    return services.imports_resume_stalled()


def _look_again(job: ImportJob) -> None:
    if not import_job_run.get_backend().supports_defer:
        return  # the periodic imports_resume_stalled catches it
    last = job.heartbeat_at or timezone.now()
    when = last + dt.timedelta(seconds=settings.MANYI_JOB_STALE_SECONDS + 1)
    import_job_run.using(run_after=max(when, timezone.now())).enqueue(job.pk)
