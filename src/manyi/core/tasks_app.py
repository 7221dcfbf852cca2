"""django_tasks_db under a translatable name: its own ("Tasks Database Backend") is a plain
string, so the Chinese admin showed it in English. Kept out of core/apps.py, where a second
AppConfig would make Django guess which one configures the core app."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
