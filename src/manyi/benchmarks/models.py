"""Competitors' satisfaction scores per evaluated item, entered from a benchmark study or a
"compared with X ..." survey question, to set beside our own item satisfaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Competitor(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def __str__(self) -> str:
        return self.name


class BenchmarkScore(models.Model):
    """S_i of one competitor for one item over a period, in percent of the scale maximum, the
    same scale as our item satisfaction; `n` is the study's sample size when known."""

    competitor = models.ForeignKey(
        Competitor, verbose_name=_("competitor"), on_delete=models.CASCADE, related_name="scores"
    )
    dimension = models.ForeignKey(
        "surveys.Dimension",
        verbose_name=_("evaluated item"),
        on_delete=models.PROTECT,
        related_name="benchmark_scores",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    satisfaction = models.DecimalField(
        _("satisfaction (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Item satisfaction in percent of the scale maximum (0-100), like ours."),
    )
    n = models.PositiveIntegerField(
        _("sample size"),
        null=True,
        blank=True,
        help_text=_("Respondents behind the score, if the study says; enables a z-test."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["competitor__name", "dimension__position", "-period_end"]
        verbose_name = _("benchmark score")
        verbose_name_plural = _("benchmark scores")
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=0, satisfaction__lte=100),
                name="benchmark_satisfaction_percent",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="benchmark_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["competitor", "dimension", "period_start", "period_end"],
                name="benchmark_unique_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competitor} · {self.dimension.code}: {self.satisfaction}"

    def clean(self):
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
