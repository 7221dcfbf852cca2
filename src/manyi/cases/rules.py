"""Cases from low survey answers, by the rules of each survey (`CaseRule`): an NPS of 0-6,
an overall satisfaction of 1-2, any evaluated item rated 1. One case per response and rule
(a repeat from the same customer about the same thing joins the open case instead); a
response without a known customer opens none (a case belongs to a customer)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from manyi.surveys.choices import AnswerRole, MatrixMeasure, QuestionType
from manyi.surveys.models import Answer, Response

from .choices import CaseType, RuleKind, Source
from .models import Case, CaseRule, Category
from .services import case_open

log = logging.getLogger(__name__)

NPS_DETRACTOR_MAX = 6
CSAT_LOW_MAX = 2
ITEM_LOW = 1


def _low_answers(rule: CaseRule, answers: list[Answer]) -> list[Answer]:
    if rule.kind == RuleKind.NPS_DETRACTOR:
        low = [
            a
            for a in answers
            if a.question.type == QuestionType.NPS
            and a.number is not None
            and a.number <= NPS_DETRACTOR_MAX
        ]
    elif rule.kind == RuleKind.CSAT_LOW:
        low = [
            a
            for a in answers
            if a.question.type == QuestionType.CSAT
            and a.dimension_id is None
            and a.number is not None
            and a.number <= CSAT_LOW_MAX
        ]
    else:
        low = [
            a
            for a in answers
            if a.question.type == QuestionType.MATRIX
            and a.question.measure == MatrixMeasure.SATISFACTION
            and a.role == AnswerRole.VALUE
            and a.dimension_id is not None
            and a.number == ITEM_LOW
        ]
    return sorted(low, key=lambda a: (a.number, a.question.page, a.question.position, a.pk))


def _comments(answers: list[Answer]) -> str:
    return "\n".join(a.text.strip() for a in answers if a.text and a.text.strip())


def open_for_response(response: Response) -> list[Case]:
    """Open the cases the survey's active rules call for (none for an anonymous or invalid
    response). Safe to call twice: one case per response and rule."""
    if response.customer_id is None or not response.is_submitted:
        return []
    rules = list(CaseRule.objects.filter(survey_id=response.survey_id, is_active=True))
    if not rules:
        return []
    answers = list(Answer.objects.filter(response=response).select_related("question", "dimension"))
    comments = _comments(answers)
    purchase = response.invitation.purchase if response.invitation_id else None
    opened = []
    with translation.override(settings.LANGUAGE_CODE):
        for rule in rules:
            low = _low_answers(rule, answers)
            if not low or Case.objects.filter(response=response, rule=rule).exists():
                continue
            first = low[0]
            category = None
            if rule.kind == RuleKind.ITEM_LOW:
                category = Category.of_dimension(first.dimension)
                items = ", ".join(a.dimension.name(settings.LANGUAGE_CODE) for a in low)
                subject = _("Rated 1: %(items)s (%(survey)s)") % {
                    "items": items,
                    "survey": response.survey.title(settings.LANGUAGE_CODE),
                }
            else:
                label = "NPS" if rule.kind == RuleKind.NPS_DETRACTOR else "CSAT"
                subject = _("%(measure)s %(score)s in “%(survey)s”") % {
                    "measure": label,
                    "score": first.number,
                    "survey": response.survey.title(settings.LANGUAGE_CODE),
                }
            try:
                with transaction.atomic():
                    result = case_open(
                        customer=response.customer,
                        case_type=CaseType.COMPLAINT,
                        subject=subject,
                        description=comments,
                        severity=rule.severity,
                        channel=_channel(response),
                        source=Source.SURVEY,
                        category=category,
                        purchase=purchase,
                        response=response,
                        answer=first,
                        rule=rule,
                        at=response.submitted_at,
                    )
            except IntegrityError:  # opened meanwhile by a concurrent call
                continue
            if not result.joined:
                opened.append(result.case)
    return opened


def _channel(response: Response) -> str:
    return {"email": "email", "sms": "sms", "phone": "phone", "face_to_face": "in_person"}.get(
        response.channel, "web"
    )


def on_response_submitted(sender, response: Response, **kwargs) -> None:
    """A failure here must not lose the customer's answers: it is logged, and the response
    is submitted without its case (`manyi cases_from_responses` opens it later)."""
    from . import recovery

    try:
        with transaction.atomic():
            open_for_response(response)
    except Exception:
        log.exception("opening cases for response %s failed", response.pk)
    try:
        with transaction.atomic():
            recovery.on_response(response)
    except Exception:
        log.exception("recording the follow-up of response %s failed", response.pk)
