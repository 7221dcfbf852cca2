from django_tasks import task

from . import counts


@task()
def counts_fill() -> str:
    return counts.fill().isoformat()
