from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ANALYST = "analyst", _("Analyst")
    AGENT = "agent", _("Agent")
    VIEWER = "viewer", _("Viewer")
