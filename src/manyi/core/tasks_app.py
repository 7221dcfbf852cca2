"""django_tasks_db under a translatable name: its own ("Tasks Database Backend") is a plain
string, so the Chinese admin showed it in English. Kept out of core/apps.py, where a second
AppConfig would make Django guess which one configures the core app."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")


# The names django_tasks_db gives its model and fields: its own catalogue has no Chinese, so
# they are translated in ours; listed here so that `makemessages` keeps them.
THIRD_PARTY_NAMES = (
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("args kwargs"),
    gettext_noop("backend name"),
    gettext_noop("enqueued at"),
    gettext_noop("exception class path"),
    gettext_noop("finished at"),
    gettext_noop("priority"),
    gettext_noop("queue name"),
    gettext_noop("return value"),
    gettext_noop("run after"),
    gettext_noop("task path"),
    gettext_noop("traceback"),
)
