from django_tasks import task

from . import counts
from .reports import schedule


@task()
def counts_fill() -> str:
    return counts.fill().isoformat()


@task()
def scheduled_reports_send() -> int:
    return schedule.scheduled_reports_send()
