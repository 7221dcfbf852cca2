from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WaveSchedule(models.TextChoices):
    NONE = "none", _("None: one continuous survey")
    MONTHLY = "monthly", _("Monthly waves")
    QUARTERLY = "quarterly", _("Quarterly waves")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", _("Closed")


class QuestionType(models.TextChoices):
    CSAT = "csat", _("Satisfaction rating (CSAT)")
    NPS = "nps", _("Likelihood to recommend (NPS, 0-10)")
    CES = "ces", _("Customer effort (CES, 1-7)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    MATRIX = "matrix", _("Rating matrix of evaluated items")
    EXPECTATION = "expectation", _("Expectation vs. experience of evaluated items")


class MatrixMeasure(models.TextChoices):
    SATISFACTION = "satisfaction", _("Satisfaction")
    IMPORTANCE = "importance", _("Importance")


class AnswerRole(models.TextChoices):
    VALUE = "value", _("Answer")
    EXPECTED = "expected", _("Expected")
    EXPERIENCED = "experienced", _("Experienced")


class ResponseChannel(models.TextChoices):
    LINK = "link", _("Public link")
    EMAIL = "email", _("Email invitation")
    SMS = "sms", _("SMS invitation")
    PHONE = "phone", _("Phone interview")
    FACE_TO_FACE = "face_to_face", _("Face-to-face interview")
    PAPER = "paper", _("Paper questionnaire")


STAFF_ENTRY_CHANNELS = [ResponseChannel.PHONE, ResponseChannel.FACE_TO_FACE, ResponseChannel.PAPER]


class ResponseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class InvitationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    # Handed to the provider, its answer not yet recorded (see services.distribution).
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")
    SKIPPED = "skipped", _("Not sent")


class TriggerEvent(models.TextChoices):
    PURCHASE_DELIVERED = "purchase_delivered", _("Purchase delivered")
    INTERACTION_CLOSED = "interaction_closed", _("Interaction closed")
