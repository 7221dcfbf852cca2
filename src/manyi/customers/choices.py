from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    ADDRESS = "address", _("Postal address")
    MESSAGING = "messaging", _("Messaging ID")


class PurchaseChannel(models.TextChoices):
    ONLINE_STORE = "online_store", _("Online store")
    APP = "app", _("Mobile app")
    MARKETPLACE = "marketplace", _("Marketplace")
    RETAIL_STORE = "retail_store", _("Retail store")
    PHONE = "phone", _("Phone order")
    DEALER = "dealer", _("Dealer")
    OTHER = "other", _("Other")


class InteractionKind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    ORDER_CONFIRMATION = "order_confirmation", _("Order confirmation")
    FOLLOW_UP_CALL = "follow_up_call", _("Follow-up call")
    VISIT = "visit", _("Visit")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    RETURN_REQUEST = "return_request", _("Return request")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    SOCIAL = "social", _("Social media")
    WEB = "web", _("Web")
    CHAT = "chat", _("Online chat")
    IN_PERSON = "in_person", _("In person")
    SMS = "sms", _("SMS")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    OPEN = "open", pgettext_lazy("interaction outcome", "Open")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")
    UNRESOLVED = "unresolved", _("Unresolved")
    NO_ACTION = "no_action", _("No action needed")


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    PURCHASES = "purchases", _("Purchases")
    INTERACTIONS = "interactions", _("Interactions")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, awaiting confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
