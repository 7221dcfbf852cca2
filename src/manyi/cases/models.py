"""Cases: every complaint, suggestion, inquiry or praise followed to its end.

A case comes from a low survey answer (a rule per survey), from staff logging a call, visit
or message, from the public feedback form, from an import or the API. It has a thread
(internal notes and replies to the customer, with private attachments), an owner and a team,
and two SLA timers in working time (first response, resolution) on a business calendar:
their warning, breach and escalation moments are stored when a timer changes (`sla`), so the
periodic evaluation only asks which stored moments have passed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts import access
from manyi.core.storage import private_storage
from manyi.customers.choices import Channel

from .choices import (
    OPEN_STATUSES,
    CaseType,
    EntryKind,
    MessageStatus,
    NotificationKind,
    ReplyChannel,
    RuleKind,
    Severity,
    SlaLevel,
    Source,
    Status,
    TemplatePurpose,
)


class BusinessCalendar(models.Model):
    """Working hours per weekday, public holidays and make-up working days (调休)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    is_default = models.BooleanField(_("default calendar"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MaxValueValidator(6)]
    )  # 0 = Monday
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="hours_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class CalendarDay(models.Model):
    """A public holiday (closed), or a weekend day worked instead (调休, Monday's hours)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("day"))
    working = models.BooleanField(_("make-up working day"), default=False)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["calendar", "day"]
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holidays and make-up working days")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="calendar_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class SlaPolicy(models.Model):
    """Targets in working hours for one case type and severity."""

    case_type = models.CharField(_("type"), max_length=20, choices=CaseType)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity)
    first_response_hours = models.DecimalField(
        _("first response within (working hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    resolution_hours = models.DecimalField(
        _("resolution within (working hours)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("business calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: the default calendar."),
    )

    class Meta:
        ordering = ["case_type", "severity"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["case_type", "severity"], name="one_policy_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_case_type_display()} · {self.get_severity_display()}"

    @property
    def first_response(self) -> dt.timedelta:
        return dt.timedelta(hours=float(self.first_response_hours))

    @property
    def resolution(self) -> dt.timedelta:
        return dt.timedelta(hours=float(self.resolution_hours))


class Category(models.Model):
    """What a case is about: an evaluated item (product quality, price, delivery, ...) or a
    free category."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    dimension = models.OneToOneField(
        "surveys.Dimension",
        verbose_name=_("evaluated item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="case_category",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name_zh"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return self.name_zh if not self.name_en else f"{self.name_zh} / {self.name_en}"

    def name(self, language: str) -> str:
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    @classmethod
    def of_dimension(cls, dimension) -> Category:
        """The category of an evaluated item, made from it the first time."""
        return cls.objects.get_or_create(
            dimension=dimension,
            defaults={
                "name_zh": dimension.name_zh,
                "name_en": dimension.name_en,
                "position": dimension.position,
            },
        )[0]


class CaseTag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("case tag")
        verbose_name_plural = _("case tags")

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.read_scope(user).apply(self, _case_team_filter)

    def editable_by(self, user):
        return access.write_scope(user).apply(self, _case_team_filter)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


def _case_team_filter(teams: frozenset[int]) -> Q:
    # A team works the cases it owns: the team is set from the customer's when a case opens
    # and changes only when the case is handed to another team. (Also the customers of the
    # team, through a join, cost the agent's queue 0.3 s at 1M cases.)
    return Q(team_id__in=teams)


class Case(models.Model):
    case_type = models.CharField(_("type"), max_length=20, choices=CaseType)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    severity = models.CharField(
        _("severity"), max_length=20, choices=Severity, default=Severity.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel, default=Channel.PHONE)
    source = models.CharField(_("source"), max_length=20, choices=Source, default=Source.STAFF)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NEW)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="cases",
        db_index=False,
    )
    purchase = models.ForeignKey(
        "customers.Purchase",
        verbose_name=_("purchase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    response = models.ForeignKey(
        "surveys.Response",
        verbose_name=_("survey response"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,  # case_response, over the cases that have one
    )
    answer = models.ForeignKey(
        "surveys.Answer",
        verbose_name=_("answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )
    interaction = models.OneToOneField(
        "customers.Interaction",
        verbose_name=_("interaction"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case",
    )
    rule = models.ForeignKey(
        "cases.CaseRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_cases",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,  # case_queue (status, team, ...) and case_opened serve team lookups
    )
    tags = models.ManyToManyField(CaseTag, verbose_name=_("tags"), blank=True, related_name="+")

    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened_count = models.PositiveIntegerField(_("times reopened"), default=0)
    root_cause = models.TextField(_("root cause"), blank=True)
    resolution = models.TextField(_("what was done"), blank=True)
    # The follow-up survey after the resolution (`recovery`) and what the customer answered.
    recovery_invitation = models.OneToOneField(
        "surveys.Invitation",
        verbose_name=_("follow-up survey"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recovered_case",
    )
    recovery_solved = models.BooleanField(_("solved, says the customer"), null=True, blank=True)
    recovery_score = models.PositiveSmallIntegerField(
        _("satisfaction with the handling"), null=True, blank=True
    )
    # Optimistic locking: every change writes version + 1 where the version is still the one
    # the editor read; a change from a stale page is refused (`services.CaseChanged`).
    version = models.PositiveIntegerField(default=1)

    # SLA (see `sla`): each timer's target, working time used while it was running, and since
    # when it runs (null: paused or stopped); the moments derived from them.
    policy = models.ForeignKey(
        SlaPolicy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    response_target = models.DurationField(null=True, blank=True)
    response_used = models.DurationField(default=dt.timedelta(0))
    response_since = models.DateTimeField(null=True, blank=True)
    response_warn_at = models.DateTimeField(null=True, blank=True)
    response_due = models.DateTimeField(
        _("first response due"), null=True, blank=True, db_index=True
    )
    response_escalate_at = models.DateTimeField(null=True, blank=True)
    response_level = models.PositiveSmallIntegerField(choices=SlaLevel, default=SlaLevel.OK)
    resolution_target = models.DurationField(null=True, blank=True)
    resolution_used = models.DurationField(default=dt.timedelta(0))
    resolution_since = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True, db_index=True)
    resolution_escalate_at = models.DateTimeField(null=True, blank=True)
    resolution_level = models.PositiveSmallIntegerField(choices=SlaLevel, default=SlaLevel.OK)
    # The next stored moment not yet acted on (either timer): the periodic evaluation reads
    # only the cases whose `sla_next_at` has passed (`sla.evaluate`).
    sla_next_at = models.DateTimeField(null=True, blank=True, db_index=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        # Foreign keys no query looks cases up by keep no index of their own (category,
        # purchase, answer, rule, policy; customer is the first column of case_customer,
        # team the second of case_queue), and the response's index holds only the cases
        # that have one: every SLA update writes each index of the row (bench/cases.py).
        indexes = [
            models.Index(
                fields=["response"], name="case_response", condition=Q(response__isnull=False)
            ),
            # the queue: open cases of a team, most urgent first
            models.Index(fields=["status", "team", "resolution_due"], name="case_queue"),
            models.Index(fields=["customer", "status"], name="case_customer"),
            models.Index(fields=["opened_at"], name="case_opened"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "rule"],
                condition=Q(response__isnull=False, rule__isnull=False),
                name="one_case_per_response_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"C{self.pk:07d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def sla_level(self) -> int:
        return max(self.response_level, self.resolution_level)


def case_upload_to(instance, filename: str) -> str:
    return f"cases/{timezone.now():%Y/%m}/{filename}"


class CaseEntry(models.Model):
    """One item of a case's thread: an internal note, a reply to the customer, a status
    change or a system event (SLA, escalation)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("text"), blank=True)
    reply_channel = models.CharField(_("sent by"), max_length=20, choices=ReplyChannel, blank=True)
    status_from = models.CharField(max_length=20, choices=Status, blank=True)
    status_to = models.CharField(max_length=20, choices=Status, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("case entry")
        verbose_name_plural = _("case entries")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class CaseAttachment(models.Model):
    entry = models.ForeignKey(CaseEntry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=case_upload_to, storage=private_storage)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class CaseRule(models.Model):
    """Open a complaint case from a low answer to a survey."""

    survey = models.ForeignKey(
        "surveys.Survey", verbose_name=_("survey"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("when"), max_length=20, choices=RuleKind)
    severity = models.CharField(
        _("severity"), max_length=20, choices=Severity, default=Severity.NORMAL
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["survey", "kind"]
        verbose_name = _("case rule")
        verbose_name_plural = _("case rules")
        constraints = [models.UniqueConstraint(fields=["survey", "kind"], name="one_rule_per_kind")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.get_kind_display()}"


class Notification(models.Model):
    """Shown in the app (and e-mailed, at once or in the daily digest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]
        constraints = [
            # one per case, kind and person: an SLA evaluation that runs twice notifies once
            models.UniqueConstraint(
                fields=["user", "case", "kind"],
                condition=~Q(kind__in=["assigned", "reopened"]),
                name="notify_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.case}"


class MessageTemplate(models.Model):
    """A message template (话术) in one language, with placeholders (`placeholders`)."""

    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=20, choices=TemplatePurpose)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["purpose", "language", "name"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="template_name_language")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def clean(self):
        from django.core.exceptions import ValidationError

        from .placeholders import PlaceholderError, names_in

        errors = {}
        for field in ("subject", "body"):
            try:
                names_in(getattr(self, field))
            except PlaceholderError as error:
                errors[field] = str(error)
        if errors:
            raise ValidationError(errors)


class FollowUp(models.Model):
    """A bulk follow-up: one message template sent to a selection of customers (a periodic
    check-in, holiday care, ...), each message filled in for its customer and sent like a
    case reply (`CaseMessage`). The selection, and who was left out and why, are kept."""

    template = models.ForeignKey(
        MessageTemplate, verbose_name=_("message template"), on_delete=models.PROTECT,
        related_name="follow_ups",
    )  # fmt: skip
    channel = models.CharField(_("channel"), max_length=10)
    filters = models.JSONField(_("selection"), default=dict)
    summary = models.JSONField(_("summary"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.template} {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("cases:followup_detail", args=[self.pk])


class CaseMessage(models.Model):
    """A message to the customer sent by e-mail or SMS: a case reply (written in the thread
    at once) or one of a bulk follow-up; sent by the periodic task (`messages.send_due`)
    under an idempotency key, so a sender killed mid-send neither loses it nor sends it
    twice."""

    entry = models.OneToOneField(
        CaseEntry, on_delete=models.CASCADE, related_name="message", null=True, blank=True
    )
    followup = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="messages", null=True, blank=True
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )  # a follow-up's; a reply's customer is its case's
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=ReplyChannel)
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    provider_id = models.CharField(max_length=255, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("message to the customer")
        verbose_name_plural = _("messages to customers")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="case_message_due"),
            models.Index(
                fields=["customer", "created_at"], name="followup_message_customer",
                condition=Q(customer__isnull=False),
            ),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=Q(entry__isnull=False, followup__isnull=True)
                | Q(entry__isnull=True, followup__isnull=False, customer__isnull=False),
                name="case_message_reply_or_followup",
            ),
            # A follow-up writes each customer's message once, however often it is retried.
            models.UniqueConstraint(
                fields=["followup", "customer"], name="followup_message_once",
                condition=Q(followup__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"
