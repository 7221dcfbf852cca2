"""What a survey asks: evaluated items (dimensions), surveys, their versions and questions."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import MatrixMeasure, QuestionType, SurveyStatus, WaveSchedule


def localized(obj, field: str, language: str) -> str:
    """`obj.<field>_en` for English when filled, else the Chinese text (always present)."""
    if language.startswith("en"):
        return getattr(obj, f"{field}_en") or getattr(obj, f"{field}_zh")
    return getattr(obj, f"{field}_zh") or getattr(obj, f"{field}_en")


def _public_token() -> str:
    return secrets.token_urlsafe(12)


class Dimension(models.Model):
    """An evaluated item (product quality, price, delivery, ...), shared by all surveys so that
    results compare across surveys and over time."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    default_weight = models.DecimalField(
        _("default weight"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("evaluated item")
        verbose_name_plural = _("evaluated items")
        constraints = [
            models.CheckConstraint(
                condition=Q(default_weight__gte=0), name="dimension_weight_nonnegative"
            )
        ]

    def __str__(self) -> str:
        return self.name_zh if not self.name_en else f"{self.name_zh} / {self.name_en}"

    def name(self, language: str) -> str:
        return localized(self, "name", language)


class SurveyQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Survey designs and their aggregate results are not personal data: every role
        # that may view records sees them; who may answer or change them is decided apart.
        from manyi.accounts import access

        return self if access.can(user, access.Action.VIEW_RECORDS) else self.none()


class Survey(models.Model):
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_zh = models.TextField(_("introduction (Chinese)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    blueprint = models.CharField(_("template"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus, default=SurveyStatus.DRAFT
    )
    anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_("Answers are not linked to customers, not even for invited ones."),
    )
    public_link_enabled = models.BooleanField(_("public link enabled"), default=True)
    public_token = models.CharField(max_length=32, unique=True, default=_public_token)
    validity_min_share = models.DecimalField(
        _("share of shown questions a valid response answers"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.6667"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after (days)"),
        null=True,
        blank=True,
        help_text=_("Send one reminder to invited customers who have not answered; empty: none."),
    )
    wave_schedule = models.CharField(
        _("waves"),
        max_length=10,
        choices=WaveSchedule,
        default=WaveSchedule.NONE,
        help_text=_(
            "A relationship survey asked again every month or quarter: each wave invites its "
            "own sample and has its own results, compared with the wave before."
        ),
    )
    current_version = models.ForeignKey(
        "surveys.SurveyVersion",
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SurveyStatus.values), name="survey_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(validity_min_share__gte=0, validity_min_share__lte=1),
                name="survey_validity_share_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title_zh

    def get_absolute_url(self) -> str:
        return reverse("surveys:detail", args=[self.pk])

    def title(self, language: str) -> str:
        return localized(self, "title", language)

    def intro(self, language: str) -> str:
        return localized(self, "intro", language)

    def is_accepting_answers(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == SurveyStatus.OPEN and (self.closes_at is None or now < self.closes_at)


class SurveyVersion(models.Model):
    """The questions as asked. Once a version has collected answers it is locked: changes go
    into a new version, so every stored answer keeps the question it answered."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "number"]
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Question(models.Model):
    version = models.ForeignKey(
        SurveyVersion,
        verbose_name=_("survey version"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    code = models.SlugField(
        _("code"),
        max_length=50,
        help_text=_("A stable key: the same question keeps its code across versions."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    page = models.PositiveSmallIntegerField(_("page"), default=1)
    type = models.CharField(_("type"), max_length=20, choices=QuestionType)
    text_zh = models.TextField(_("question (Chinese)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    help_zh = models.CharField(_("hint (Chinese)"), max_length=300, blank=True)
    help_en = models.CharField(_("hint (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    scale_max = models.PositiveSmallIntegerField(
        _("scale maximum"),
        null=True,
        blank=True,
        help_text=_("For satisfaction ratings and matrices: 5, 7 or 10 points."),
    )
    measure = models.CharField(
        _("matrix measures"),
        max_length=20,
        choices=MatrixMeasure,
        default=MatrixMeasure.SATISFACTION,
    )
    dimension = models.ForeignKey(
        Dimension,
        verbose_name=_("evaluated item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        help_text=_("For a single rating about one evaluated item."),
    )
    # [{"value": "a", "zh": "...", "en": "..."}] for choice questions.
    options = models.JSONField(_("options"), default=list, blank=True)
    # {"question": "<code>", "op": "lte|gte|eq|in|answered", "value": ...}: show only then.
    show_if = models.JSONField(_("show only if"), default=dict, blank=True)
    max_length = models.PositiveIntegerField(_("maximum length"), default=2000)

    class Meta:
        ordering = ["version", "page", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_unique_code"),
            models.CheckConstraint(
                condition=Q(type__in=QuestionType.values), name="question_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(scale_max__isnull=True) | Q(scale_max__in=[5, 7, 10]),
                name="question_scale_max_valid",
            ),
            models.CheckConstraint(condition=Q(page__gte=1), name="question_page_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text_zh[:60]}"

    def text(self, language: str) -> str:
        return localized(self, "text", language)

    def help(self, language: str) -> str:
        return localized(self, "help", language)


class QuestionItem(models.Model):
    """One row of a matrix or expectation question: an evaluated item and its weight here."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="items"
    )
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("evaluated item"), on_delete=models.PROTECT, related_name="+"
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["question", "position", "pk"]
        verbose_name = _("question item")
        verbose_name_plural = _("question items")
        constraints = [
            models.UniqueConstraint(fields=["question", "dimension"], name="item_unique_dimension"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="item_weight_nonnegative"),
        ]

    def __str__(self) -> str:
        return str(self.dimension)


class SurveyWave(models.Model):
    """One round of a survey asked periodically (a month or a quarter): its invitations and
    the responses given in its period belong to it. Created once per period: the unique
    constraints make a second attempt (the scheduler run twice, or after a crash) a no-op."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="waves"
    )
    number = models.PositiveIntegerField(_("wave"))
    label = models.CharField(_("label"), max_length=20)  # 2026-11, 2026 Q4
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["survey", "number"]
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="wave_number_unique"),
            models.UniqueConstraint(fields=["survey", "starts_on"], name="wave_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.label}"
