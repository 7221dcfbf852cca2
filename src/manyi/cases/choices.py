from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseType(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    INQUIRY = "inquiry", _("Inquiry")
    PRAISE = "praise", _("Praise")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", pgettext_lazy("severity", "Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("case status", "New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("case status", "In progress")
    WAITING = "waiting", _("Waiting for customer")
    RESOLVED = "resolved", pgettext_lazy("case status", "Resolved")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.REOPENED)

# Which status may follow which (a resolved case is closed, or reopened by the customer).
TRANSITIONS = {
    Status.NEW: (Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED),
    Status.ASSIGNED: (Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED),
    Status.IN_PROGRESS: (Status.WAITING, Status.RESOLVED),
    Status.WAITING: (Status.IN_PROGRESS, Status.RESOLVED),
    Status.REOPENED: (Status.ASSIGNED, Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED),
    Status.RESOLVED: (Status.CLOSED, Status.REOPENED),
    Status.CLOSED: (Status.REOPENED,),
}


class Source(models.TextChoices):
    SURVEY = "survey", _("Survey answer")
    STAFF = "staff", _("Logged by staff")
    FEEDBACK_FORM = "feedback_form", _("Feedback form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    INTERACTION = "interaction", _("Interaction record")


class EntryKind(models.TextChoices):
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply to the customer")
    STATUS = "status", _("Status change")
    SYSTEM = "system", _("System")


class ReplyChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phoned the customer")


class RuleKind(models.TextChoices):
    NPS_DETRACTOR = "nps_detractor", _("NPS of 0–6")
    CSAT_LOW = "csat_low", _("Overall satisfaction at 1–2")
    ITEM_LOW = "item_low", _("An evaluated item at 1")


class SlaLevel(models.IntegerChoices):
    OK = 0, _("On time")
    WARNED = 1, _("Near its target")
    BREACHED = 2, _("Breached: team lead told")
    ESCALATED = 3, _("Escalated to the manager")


class NotificationKind(models.TextChoices):
    OPENED = "opened", _("New case from a detractor")
    ASSIGNED = "assigned", _("Case assigned to you")
    WARNING = "warning", _("SLA target near")
    BREACH = "breach", _("SLA breached")
    ESCALATION = "escalation", _("Escalated to you")
    REOPENED = "reopened", _("Case reopened")


class TemplatePurpose(models.TextChoices):
    THANKS = "thanks", _("Thanks")
    APOLOGY = "apology", _("Apology and resolution")
    NEEDS = "needs", _("Asking about needs")
    CHECK_IN = "check_in", _("Periodic check-in")
    CARE = "care", _("Holiday or birthday care")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")
