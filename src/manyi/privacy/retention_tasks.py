"""The retention policy as a periodic job (listed in settings.MANYI_PERIODIC_TASKS). It scans
and works in batches, so running it twice, or after an interruption, does no harm."""

from django_tasks import task

from . import retention


@task()
def retention_apply() -> dict[str, int]:
    result = retention.retention_apply()
    return {
        "customers": result.customers,
        "contact_points": result.contact_points,
        "invitation_addresses": result.invitation_addresses,
        "answers": result.answers,
    }
