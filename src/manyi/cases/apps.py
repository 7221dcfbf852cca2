from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "manyi.cases"
    verbose_name = _("Cases")

    def ready(self):
        from manyi.customers import timeline

        from . import receivers  # noqa: F401  (cases from survey answers and complaints)
        from .timeline import case_entries, followup_messages

        timeline.register(case_entries)
        timeline.register(followup_messages)
