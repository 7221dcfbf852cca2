"""The scheduled check of improvement actions whose after window is over."""

from django_tasks import task

from . import services


@task()
def improvements_check() -> int:
    """Idempotent: an action checked once has left "do" and is not checked again."""
    return services.check_due()
