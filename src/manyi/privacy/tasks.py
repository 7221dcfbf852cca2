"""Periodic job of the audit log (listed in settings.MANYI_PERIODIC_TASKS): purge events
older than MANYI_AUDIT_RETENTION_DAYS. It deletes only what is past the limit: safe to run
twice or to stop at any point."""

from django_tasks import task

from . import services


@task()
def audit_purge() -> int:
    return services.audit_purge()
