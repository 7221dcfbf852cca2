"""Improvement actions (PDCA): a finding becomes an action with an owner and a due date; it
names the metric it must move, for whom, the target, and the before and after windows; each
check of the metric is kept with its numbers and verdict, and each change of stage in the
action's history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Comparison, FindingKind, Method, Metric, Stage, Verdict
from .scopes import SCOPE_CHOICES


class Improvement(models.Model):
    title = models.CharField(_("title"), max_length=200)
    finding_kind = models.CharField(
        _("finding"), max_length=30, choices=FindingKind, default=FindingKind.OTHER
    )
    finding = models.TextField(_("what was found"), blank=True)
    problem = models.TextField(_("problem"))
    root_cause = models.TextField(_("root cause"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    department = models.CharField(_("owner department"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvements",
    )
    due = models.DateField(_("due date"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage, default=Stage.PLAN)

    # What it must move, for whom.
    metric = models.CharField(_("metric"), max_length=20, choices=Metric)
    dimension = models.ForeignKey(
        "surveys.Dimension",
        verbose_name=_("evaluated item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("complaint category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Complaints of this category only; empty: every complaint."),
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every survey."),
    )
    scope = models.CharField(_("for"), max_length=20, choices=SCOPE_CHOICES, blank=True)
    scope_value = models.CharField(_("which"), max_length=200, blank=True)
    comparison = models.CharField(
        _("comparison group"), max_length=10, choices=Comparison, default=Comparison.REST
    )
    comparison_value = models.CharField(_("which comparison group"), max_length=200, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=8, decimal_places=2, null=True, blank=True,
        help_text=_("The level the metric should reach in the after window."),
    )  # fmt: skip
    before_since = models.DateField(_("before: from"))
    before_until = models.DateField(_("before: to"))
    after_since = models.DateField(_("after: from"))
    after_until = models.DateField(_("after: to"))

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(before_since__lte=models.F("before_until"))
                & Q(after_since__lte=models.F("after_until"))
                & Q(before_until__lt=models.F("after_since")),
                name="improvement_windows_in_order",
            ),
        ]
        indexes = [models.Index(fields=["stage", "after_until"], name="improvement_stage")]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        return f"PDCA-{self.pk:05d}"

    @property
    def has_comparison(self) -> bool:
        """Measured against a comparison group (which needs a group the action touches)."""
        return self.comparison != Comparison.NONE and bool(self.scope)

    @property
    def higher_is_better(self) -> bool:
        return self.metric != Metric.COMPLAINT_RATE

    def after_window_over(self, today: dt.date) -> bool:
        return self.after_until < today


class Check(models.Model):
    """One measurement of the action's metric: the four cells (or two), the effect with its
    95 % interval, the verdict, and the stage the action went to."""

    improvement = models.ForeignKey(
        Improvement, verbose_name=_("action"), on_delete=models.CASCADE, related_name="checks"
    )
    checked_at = models.DateTimeField(_("checked"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )  # None: the scheduled check when the after window was over
    method = models.CharField(_("method"), max_length=20, choices=Method)
    treated_before = models.FloatField(null=True)
    treated_after = models.FloatField(null=True)
    comparison_before = models.FloatField(null=True)
    comparison_after = models.FloatField(null=True)
    # n: answers, or customers who bought for a complaint rate
    treated_before_n = models.PositiveIntegerField(default=0)
    treated_after_n = models.PositiveIntegerField(default=0)
    comparison_before_n = models.PositiveIntegerField(default=0)
    comparison_after_n = models.PositiveIntegerField(default=0)
    estimate = models.FloatField(_("effect"), null=True)
    low = models.FloatField(null=True)
    high = models.FloatField(null=True)
    p_value = models.FloatField(null=True)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict)
    stage_after = models.CharField(_("stage after the check"), max_length=10, choices=Stage)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("check")
        verbose_name_plural = _("checks")

    def __str__(self) -> str:
        return f"{self.improvement_id} {self.checked_at:%Y-%m-%d}: {self.verdict}"


class Entry(models.Model):
    """The action's history: a change of stage (with why) or a note."""

    improvement = models.ForeignKey(
        Improvement, verbose_name=_("action"), on_delete=models.CASCADE, related_name="entries"
    )
    at = models.DateTimeField(_("at"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    stage_from = models.CharField(max_length=10, choices=Stage, blank=True)
    stage_to = models.CharField(max_length=10, choices=Stage, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")

    def __str__(self) -> str:
        return f"{self.improvement_id} {self.at:%Y-%m-%d}: {self.stage_from}→{self.stage_to}"
