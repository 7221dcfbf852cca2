from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    REVEAL = "reveal", _("Revealed a contact detail")
    EXPORT = "export", _("Exported")
    CHANGE = "change", _("Changed")
    ERASE = "erase", _("Erased")
    ACCESS = "access", _("Changed a role or team")
