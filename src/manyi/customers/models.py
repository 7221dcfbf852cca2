"""Customer records: who the customers are, how to reach them, what they bought and every
contact they had with the company."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts import access
from manyi.core.storage import private_storage

from .choices import (
    Channel,
    ContactKind,
    Gender,
    ImportKind,
    ImportStatus,
    InteractionKind,
    Outcome,
    PurchaseChannel,
)


class Segment(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.read_scope(user).apply(self, lambda teams: Q(team_id__in=teams))

    def editable_by(self, user):
        return access.write_scope(user).apply(self, lambda teams: Q(team_id__in=teams))


class Customer(models.Model):
    external_id = models.CharField(
        _("external ID"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The customer's ID in the company's own systems; imports match on it."),
    )
    name = models.CharField(_("name"), max_length=200, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender, default=Gender.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        help_text=_("The service team that looks after this customer."),
    )
    language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    consent_email = models.BooleanField(_("may be contacted by email"), default=False)
    consent_sms = models.BooleanField(_("may be contacted by SMS"), default=False)
    consent_phone = models.BooleanField(_("may be contacted by phone"), default=False)
    consent_messaging = models.BooleanField(_("may be contacted by messaging"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="customer_birth_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(gender__in=Gender.values), name="customer_gender_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    @property
    def age(self) -> int | None:
        if self.birth_year is None:
            return None
        return timezone.localdate().year - self.birth_year

    def consents(self) -> dict[str, bool]:
        return {
            Channel.EMAIL: self.consent_email,
            Channel.SMS: self.consent_sms,
            Channel.PHONE: self.consent_phone,
            "messaging": self.consent_messaging,
        }


class ContactPoint(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind)
    value = models.CharField(_("value"), max_length=255, db_index=True)
    label = models.CharField(_("label"), max_length=50, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["kind", "-is_primary", "pk"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "value"], name="contact_unique_per_customer"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ContactKind.values), name="contact_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    price = models.DecimalField(
        _("list price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class PurchaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.read_scope(user).apply(self, lambda teams: Q(customer__team_id__in=teams))


class Purchase(models.Model):
    external_id = models.CharField(
        _("order number"), max_length=64, unique=True, null=True, blank=True
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="purchases"
    )
    purchased_at = models.DateTimeField(_("purchased at"))
    channel = models.CharField(
        _("channel"), max_length=20, choices=PurchaseChannel, default=PurchaseChannel.ONLINE_STORE
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    returned = models.BooleanField(_("returned"), default=False)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    store = models.CharField(_("store"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PurchaseQuerySet.as_manager()

    class Meta:
        ordering = ["-purchased_at", "-pk"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        indexes = [models.Index(fields=["customer", "purchased_at"], name="purchase_customer_time")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="purchase_amount_nonnegative"),
            models.CheckConstraint(
                condition=Q(channel__in=PurchaseChannel.values), name="purchase_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.external_id or f"#{self.pk}"


class PurchaseItem(models.Model):
    purchase = models.ForeignKey(
        Purchase, verbose_name=_("purchase"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="sold_items"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("purchase item")
        verbose_name_plural = _("purchase items")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="item_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="item_unit_price_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    @property
    def line_total(self):
        return self.unit_price * self.quantity


class InteractionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.read_scope(user).apply(self, _interaction_team_filter)

    def editable_by(self, user):
        return access.write_scope(user).apply(self, _interaction_team_filter)


def _interaction_team_filter(teams: frozenset[int]) -> Q:
    # A team sees what it handled and everything that concerns its own customers.
    return Q(team_id__in=teams) | Q(customer__team_id__in=teams)


class Interaction(models.Model):
    external_id = models.CharField(
        _("external ID"), max_length=64, unique=True, null=True, blank=True
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    kind = models.CharField(_("type"), max_length=20, choices=InteractionKind)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    content = models.TextField(_("content"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, default=Outcome.OPEN)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["customer", "occurred_at"], name="interaction_customer_time"),
            models.Index(fields=["team", "occurred_at"], name="interaction_team_time"),
            models.Index(fields=["kind", "occurred_at"], name="interaction_kind_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("occurred_at")),
                name="interaction_closed_after_occurred",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InteractionKind.values), name="interaction_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="interaction_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="interaction_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("customers:interaction_edit", args=[self.pk])


def stale_before(*, now=None):
    """Jobs whose last progress is older than this are stalled."""
    now = now or timezone.now()
    return now - dt.timedelta(seconds=settings.MANYI_JOB_STALE_SECONDS)


def import_upload_to(instance, filename: str) -> str:
    """A random name (the user's is kept in `original_name`); only the suffix is kept, since
    it says how to read the file."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"imports/{uuid.uuid4().hex}{suffix}"


class ImportJob(models.Model):
    """One uploaded file: kept from preview to confirmation, then holds the report of every
    row that failed and why, so nothing about an import is lost."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind)
    # In the private storage (no URL), under a random name; sent only by `import_file`.
    file = models.FileField(_("file"), upload_to=import_upload_to, storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus, default=ImportStatus.UPLOADED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Data rows in the file, counted once when it was uploaded (with `preview`).
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    # What the preview page shows (columns, first rows, problem), computed once at upload so
    # that viewing it never reads the file again: ImportPreview.as_json().
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # The run, in batches: each batch commits its rows together with these counters and
    # `last_row` (the file row number of its last row), so a run that was killed resumes
    # after `last_row` without importing a row twice.
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    last_row = models.PositiveIntegerField(_("last imported row"), default=0)
    # When the current run (first or resumed) started and how many rows were done then: the
    # rate shown is that of the current run.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    rows_at_start = models.PositiveIntegerField(default=0, editable=False)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    # Set by whoever runs a batch; a runner whose token was replaced (its job was resumed by
    # another worker) may not commit any more.
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    # The uploader's language: the background run writes the report's messages in it.
    language = models.CharField(max_length=10, blank=True, editable=False)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    # [{"row": 7, "column": "email", "message": "..."}]: row numbers as the user sees them.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("customers:import_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        """Queued or running: its page follows the progress."""
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    def is_stalled(self, *, now=None) -> bool:
        """Running, but no batch committed for MANYI_JOB_STALE_SECONDS: its worker died."""
        if self.status != ImportStatus.RUNNING:
            return False
        last = self.heartbeat_at or self.created_at
        return last < stale_before(now=now)
