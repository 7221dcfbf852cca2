"""What came back: one response per respondent and one row per answered value, so that every
score is a count of answers by value."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from manyi.accounts import access

from ..choices import AnswerRole, ResponseChannel, ResponseStatus


def resume_key() -> str:
    return secrets.token_urlsafe(24)


def _response_team_filter(teams: frozenset[int]) -> Q:
    # Agents see the answers of their own team's customers; anonymous answers belong to nobody.
    return Q(customer__team_id__in=teams)


class ResponseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.read_scope(user).apply(self, _response_team_filter)

    def submitted(self):
        return self.filter(status=ResponseStatus.SUBMITTED)

    def valid(self):
        return self.filter(status=ResponseStatus.SUBMITTED, is_valid=True)


class Response(models.Model):
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    version = models.ForeignKey(
        "surveys.SurveyVersion",
        verbose_name=_("survey version"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    # The wave of a survey asked periodically: the invitation's, or the one whose period
    # holds the start of an uninvited response (public link, staff entry).
    wave = models.ForeignKey(
        "surveys.SurveyWave",
        verbose_name=_("wave"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    invitation = models.OneToOneField(
        "surveys.Invitation",
        verbose_name=_("invitation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=ResponseChannel)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=20, choices=ResponseStatus, default=ResponseStatus.IN_PROGRESS
    )
    # The public-link respondent's key to come back to an unfinished response (in a cookie).
    resume_key = models.CharField(max_length=64, unique=True, default=resume_key)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entered_responses",
    )
    started_at = models.DateTimeField(_("started"))
    last_saved_at = models.DateTimeField(_("last saved"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    shown_count = models.PositiveSmallIntegerField(_("questions shown"), default=0)
    answered_count = models.PositiveSmallIntegerField(_("questions answered"), default=0)
    is_valid = models.BooleanField(_("valid"), null=True, blank=True)
    # What the response is about, fixed when it is submitted (see `services.subject`), so
    # that dashboards cut by them without joining purchases and interactions: the main
    # product of the invited purchase, and who served the customer (the handler of the
    # invited contact, else the interviewer who entered it).
    product = models.ForeignKey(
        "customers.Product",
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Why staff recorded a phone interview with a customer who gave no phone consent.
    consent_override_reason = models.TextField(
        _("reason for contacting without consent"), blank=True, default=""
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["survey", "status", "submitted_at"], name="response_survey_time"),
            models.Index(fields=["customer", "submitted_at"], name="response_customer_time"),
            # Submitted responses by time, over all surveys: the dashboards' live tail and
            # period filters read ranges of it.
            models.Index(
                fields=["submitted_at"],
                name="response_submitted_time",
                condition=Q(status=ResponseStatus.SUBMITTED),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ResponseStatus.values), name="response_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=ResponseChannel.values), name="response_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ResponseStatus.IN_PROGRESS) | Q(submitted_at__isnull=False),
                name="response_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:response_detail", args=[self.pk])

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED


class Answer(models.Model):
    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        "surveys.Question",
        verbose_name=_("question"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    # The evaluated item of a matrix or expectation row; empty for a plain question.
    dimension = models.ForeignKey(
        "surveys.Dimension",
        verbose_name=_("evaluated item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
    )
    role = models.CharField(_("role"), max_length=12, choices=AnswerRole, default=AnswerRole.VALUE)
    number = models.SmallIntegerField(_("rating"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    # Chosen option values, for choice questions.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # When the retention policy cleared the text: the row stays, so counts do not change.
    redacted_at = models.DateTimeField(_("text removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            # Two partial constraints, as NULLs are distinct in a unique index (SQLite and
            # PostgreSQL alike): one answer per cell, with or without an evaluated item.
            models.UniqueConstraint(
                fields=["response", "question", "dimension", "role"],
                condition=Q(dimension__isnull=False),
                name="answer_unique_item_cell",
            ),
            models.UniqueConstraint(
                fields=["response", "question", "role"],
                condition=Q(dimension__isnull=True),
                name="answer_unique_cell",
            ),
            models.CheckConstraint(
                condition=Q(role__in=AnswerRole.values), name="answer_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["question", "number"], name="answer_question_number")]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.number if self.number is not None else self.text}"
