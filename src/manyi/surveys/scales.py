"""Answer scales of rating questions: range and point labels (translated when rendered)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import MatrixMeasure, QuestionType

_SATISFACTION_5 = [
    _("Very dissatisfied"),
    _("Dissatisfied"),
    _("Neutral"),
    _("Satisfied"),
    _("Very satisfied"),
]
_IMPORTANCE_5 = [
    _("Not at all important"),
    _("Not important"),
    _("Neutral"),
    _("Important"),
    _("Very important"),
]
_QUALITY_5 = [_("Very poor"), _("Poor"), _("Fair"), _("Good"), _("Very good")]


@dataclass(frozen=True)
class Scale:
    low: int
    high: int
    labels: dict[int, Promise | str] = field(default_factory=dict)

    @property
    def points(self) -> range:
        return range(self.low, self.high + 1)

    def contains(self, value: int) -> bool:
        return self.low <= value <= self.high


def _five_or_ends(high: int, five: list, low_label, high_label) -> dict:
    if high == 5:
        return dict(zip(range(1, 6), five, strict=True))
    return {1: low_label, high: high_label}


def scale_for(question_type: str, scale_max: int | None = None, measure: str = "") -> Scale | None:
    """The scale a rating question is answered on, or None for questions without one."""
    high = scale_max or 5
    if question_type == QuestionType.NPS:
        return Scale(0, 10, {0: _("Not at all likely"), 10: _("Extremely likely")})
    if question_type == QuestionType.CES:
        return Scale(1, 7, {1: _("Very difficult"), 7: _("Very easy")})
    if question_type == QuestionType.EXPECTATION:
        return Scale(1, high, _five_or_ends(high, _QUALITY_5, _("Very poor"), _("Very good")))
    if question_type == QuestionType.MATRIX and measure == MatrixMeasure.IMPORTANCE:
        labels = _five_or_ends(high, _IMPORTANCE_5, _("Not at all important"), _("Very important"))
        return Scale(1, high, labels)
    if question_type in (QuestionType.CSAT, QuestionType.MATRIX):
        labels = _five_or_ends(high, _SATISFACTION_5, _("Very dissatisfied"), _("Very satisfied"))
        return Scale(1, high, labels)
    return None
