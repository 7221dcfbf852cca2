"""Rollups: valid answers and submitted responses counted per day and per month, by
survey, team and one cut at a time (see `cuts`). Every score is a function of how many
answers took each value, so dashboards sum a few hundred rollup rows instead of reading
millions of answers. `counts.fill()` adds what was submitted since the last fill, in SQL;
`manyi rebuild_counts` recomputes them. Design and measurements: docs/adr/0005."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The rollups are derived data, written a few thousand rows per fill: no foreign key
# constraint to check and no index of their own to maintain per row (deleting a survey still
# deletes its rows, through Django's cascade). Measured on a fill of 10,000 responses at 1M
# answers on PostgreSQL, with the table's fill factor (migration 0005): 1.42 s -> 1.27 s.
DERIVED = {"on_delete": models.CASCADE, "db_constraint": False, "db_index": False}


class Grain(models.TextChoices):
    DAY = "d", _("day")
    MONTH = "m", _("month")


class AnswerRollup(models.Model):
    """Valid answers of one value (or chosen option), in one day or month, survey, team and
    cut value. `cut` is "" for the rows counting every answer once (no cut); each other cut
    (`cuts.CUTS`) counts every answer again under its value, "" when it has none."""

    grain = models.CharField(max_length=1, choices=Grain)
    day = models.DateField(_("day"))  # the day, or the first day of the month
    survey = models.ForeignKey("surveys.Survey", related_name="+", **DERIVED)
    team_id = models.IntegerField(default=0)
    cut = models.CharField(max_length=20, default="")
    cut_value = models.CharField(max_length=100, default="")
    question_code = models.CharField(_("question"), max_length=50)
    item = models.CharField(_("evaluated item"), max_length=50, default="")
    role = models.CharField(_("role"), max_length=12, default="value")
    value = models.SmallIntegerField(_("value"), default=0)
    option = models.CharField(_("option"), max_length=100, default="")
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("answer rollup")
        verbose_name_plural = _("answer rollups")
        constraints = [
            # Also the readers' index: a cut, a grain, questions, then a range of days.
            models.UniqueConstraint(
                fields=[
                    "cut", "grain", "question_code", "day", "survey", "team_id", "cut_value",
                    "item", "role", "value", "option",
                ],
                name="answer_rollup_key",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.day} {self.cut}={self.cut_value} {self.question_code}={self.value}"


class ResponseRollup(models.Model):
    """Submitted responses by validity, per day or month, survey, team and cut value."""

    grain = models.CharField(max_length=1, choices=Grain)
    day = models.DateField(_("day"))
    survey = models.ForeignKey("surveys.Survey", related_name="+", **DERIVED)
    team_id = models.IntegerField(default=0)
    cut = models.CharField(max_length=20, default="")
    cut_value = models.CharField(max_length=100, default="")
    valid = models.BooleanField(_("valid"))
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("response rollup")
        verbose_name_plural = _("response rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["cut", "grain", "day", "survey", "team_id", "cut_value", "valid"],
                name="response_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.cut}={self.cut_value} valid={self.valid}: {self.count}"


class PairRollup(models.Model):
    """For the weighted index: per day or month, survey, version, team and cut value, and
    per pair of evaluated items (a <= b; a == b for one item) with the scales they were
    rated on, the respondents who rated both and the sums of their ratings, of the other
    item's and of the products. Rows with items 0 count the respondents who rated at least
    one item their version's index weighs. Integers, so sums are exact (see `ratings`)."""

    grain = models.CharField(max_length=1, choices=Grain)
    day = models.DateField(_("day"))
    survey = models.ForeignKey("surveys.Survey", related_name="+", **DERIVED)
    version = models.ForeignKey("surveys.SurveyVersion", related_name="+", **DERIVED)
    team_id = models.IntegerField(default=0)
    cut = models.CharField(max_length=20, default="")
    cut_value = models.CharField(max_length=100, default="")
    item_a = models.IntegerField(default=0)
    scale_a = models.SmallIntegerField(default=0)
    item_b = models.IntegerField(default=0)
    scale_b = models.SmallIntegerField(default=0)
    n = models.BigIntegerField(default=0)
    sum_a = models.BigIntegerField(default=0)
    sum_b = models.BigIntegerField(default=0)
    sum_ab = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("item pair rollup")
        verbose_name_plural = _("item pair rollups")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "cut", "grain", "day", "survey", "version", "team_id", "cut_value",
                    "item_a", "scale_a", "item_b", "scale_b",
                ],
                name="pair_rollup_key",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.day} {self.cut}={self.cut_value} {self.item_a}×{self.item_b}: {self.n}"


class FillState(models.Model):
    """How far the rollups are filled: responses submitted up to `filled_until`."""

    name = models.CharField(max_length=50, unique=True)
    filled_until = models.DateTimeField()
    # Day rows of the cuts are kept from this local day on (the month before the last
    # fill's); older days of a cut are read from month rows and, at a period's ends, live.
    cut_days_from = models.DateField(null=True, blank=True)

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
