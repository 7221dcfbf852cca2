from django_tasks import task

from . import notify, sla


@task()
def sla_evaluate() -> dict:
    """Warn, mark breaches and escalate where a stored SLA moment has passed."""
    return sla.evaluate()


@task()
def notifications_digest() -> int:
    """The daily e-mail of unread case notifications, for users who chose a digest."""
    return notify.send_digest()


@task()
def notifications_send() -> int:
    """E-mail new notifications to users who want them at once (those that failed, because
    the mail server was down, go on the next run)."""
    return notify.send_now()


@task()
def messages_send() -> int:
    """Send the replies to customers waiting to go (and retry failed attempts)."""
    from . import messaging

    return messaging.send_due()
