from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "manyi.surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from manyi.customers import timeline

        from .timeline import response_entries

        timeline.register(response_entries)
