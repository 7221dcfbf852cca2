"""A customer's latest scores, for the badge on the customer page."""

from django import template

from ..choices import QuestionType
from ..models import Answer

register = template.Library()


@register.simple_tag
def latest_scores(customer) -> dict:
    """{"nps": answer, "csat": answer}: the customer's most recent NPS and overall CSAT
    answers (a submitted response), each with its response's time, or absent."""
    scores = {}
    answers = (
        Answer.objects.filter(
            response__customer=customer,
            response__status="submitted",
            number__isnull=False,
            dimension__isnull=True,
        )
        .select_related("question", "response")
        .order_by("-response__submitted_at", "-pk")
    )
    for kind in (QuestionType.NPS, QuestionType.CSAT):
        answer = answers.filter(question__type=kind).first()
        if answer is not None:
            scores[kind.value] = answer
    return scores
