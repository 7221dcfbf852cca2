"""Background jobs of the survey domain. Each loads by id (or scans) and calls a service, so
running one twice does no harm."""

from django_tasks import task

from .services import distribution, waves


@task()
def invitation_send(invitation_id: int) -> None:
    distribution.invitation_send(invitation_id=invitation_id)


@task()
def invitations_send_due() -> int:
    return distribution.invitations_send_due()


@task()
def reminders_send() -> int:
    return distribution.reminders_send()


@task()
def triggers_scan() -> int:
    return distribution.triggers_scan()


@task()
def waves_start_due() -> int:
    return waves.waves_start_due()
