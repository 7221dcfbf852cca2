"""Survey models, by topic: what is asked (design), to whom (distribution), what came back
(responses)."""

from .design import Dimension, Question, QuestionItem, Survey, SurveyVersion, SurveyWave
from .distribution import Distribution, Invitation, Trigger, TriggerFiring
from .responses import Answer, Response

__all__ = [
    "Answer",
    "Dimension",
    "Distribution",
    "Invitation",
    "Question",
    "QuestionItem",
    "Response",
    "Survey",
    "SurveyVersion",
    "SurveyWave",
    "Trigger",
    "TriggerFiring",
]
