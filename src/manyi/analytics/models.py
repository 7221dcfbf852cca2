"""Pre-aggregated count tables. Every score is a function of how many valid answers took each
value, so dashboards read these small tables instead of millions of answers (the design of
Zulip's analytics app). `counts.fill()` adds what was submitted since the last fill and
records how far it got; `manyi rebuild_counts` recomputes them from scratch."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The cuts every count is kept by; "" / 0 stand for "none" so that the unique key has no NULLs.
CUT_FIELDS = ("segment_id", "region", "team_id", "channel", "product_id", "staff_id")


class AnswerCount(models.Model):
    """Valid answers of one value, by day, survey, question (code), item, role and cuts."""

    day = models.DateField(_("day"))
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    question_code = models.CharField(_("question"), max_length=50)
    item = models.CharField(_("evaluated item"), max_length=50, default="")
    role = models.CharField(_("role"), max_length=12, default="value")
    value = models.SmallIntegerField(_("value"), default=0)
    option = models.CharField(_("option"), max_length=100, default="")
    segment_id = models.IntegerField(default=0)
    region = models.CharField(max_length=100, default="")
    team_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=20, default="")
    # What the survey was about (from the invitation): the purchase's main product, and the
    # staff member who handled the contact or entered the interview.
    product_id = models.IntegerField(default=0)
    staff_id = models.IntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("answer count")
        verbose_name_plural = _("answer counts")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day", "survey", "question_code", "item", "role", "value", "option",
                    "segment_id", "region", "team_id", "channel", "product_id", "staff_id",
                ],
                name="answer_count_key",
            )
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["survey", "question_code", "day"], name="answer_count_question"),
            models.Index(fields=["question_code", "item", "day"], name="answer_count_item"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.question_code}.{self.item or '-'}={self.value}: {self.count}"


class ResponseCount(models.Model):
    """Submitted responses by day, survey, validity and cuts: the n behind rates."""

    day = models.DateField(_("day"))
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    valid = models.BooleanField(_("valid"))
    segment_id = models.IntegerField(default=0)
    region = models.CharField(max_length=100, default="")
    team_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=20, default="")
    product_id = models.IntegerField(default=0)
    staff_id = models.IntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("response count")
        verbose_name_plural = _("response counts")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "survey",
                    "valid",
                    "segment_id",
                    "region",
                    "team_id",
                    "channel",
                    "product_id",
                    "staff_id",
                ],
                name="response_count_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} survey {self.survey_id} valid={self.valid}: {self.count}"


class FillState(models.Model):
    """How far the count tables are filled: responses submitted up to `filled_until`."""

    name = models.CharField(max_length=50, unique=True)
    filled_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.filled_until:%Y-%m-%d %H:%M}"


class ReportNote(models.Model):
    """The editable recommendations of one survey's satisfaction report for one period: the
    numbers are computed, the conclusions an analyst draws from them are written and kept."""

    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="report_notes",
    )
    since = models.DateField(_("from"))
    until = models.DateField(_("until"))
    recommendations = models.TextField(_("recommendations"), blank=True)
    updated_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("report note")
        verbose_name_plural = _("report notes")
        constraints = [
            models.UniqueConstraint(fields=["survey", "since", "until"], name="report_note_period"),
            models.CheckConstraint(
                condition=models.Q(since__lte=models.F("until")), name="report_note_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.since}–{self.until}"


class ReportFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly (last full week, sent on Monday)")
    MONTHLY = "monthly", _("Monthly (last full month, sent on the 1st)")


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    PDF = "pdf", _("PDF")
    BOTH = "both", _("Excel and PDF")


class ScheduledReport(models.Model):
    """A satisfaction report mailed to chosen users after each full week or month. Sent once
    per period: `last_sent_at` tells whether the last full period has gone out."""

    name = models.CharField(_("name"), max_length=200)
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="scheduled_reports",
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=ReportFrequency, default=ReportFrequency.WEEKLY
    )
    recipients = models.ManyToManyField(
        "accounts.User", verbose_name=_("recipients"), related_name="scheduled_reports"
    )
    format = models.CharField(
        _("format"), max_length=10, choices=ReportFormat, default=ReportFormat.BOTH
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    is_active = models.BooleanField(_("active"), default=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(frequency__in=ReportFrequency.values),
                name="scheduled_report_frequency_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(format__in=ReportFormat.values),
                name="scheduled_report_format_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name
