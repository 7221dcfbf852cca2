"""Answering a survey: start a response, save it page by page, submit it exactly once."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from manyi.metrics.quality import is_valid_response

from ..answering import (
    ParsedPage,
    TamperedInput,
    answer_values,
    check_required,
    parse_page,
    question_cells,
    shown_questions,
)
from ..choices import ResponseStatus
from ..models import Answer, Invitation, Question, Response, Survey, SurveyVersion
from ..signals import response_submitted
from .subject import subject_set

__all__ = [
    "SubmitResult",
    "TamperedInput",
    "invitation_mark_opened",
    "response_pages",
    "response_save_page",
    "response_start",
    "response_start_with_page",
    "response_submit",
    "shown_questions",
    "version_questions",
]


def invitation_mark_opened(*, invitation: Invitation) -> bool:
    """Record when an invitation link was first opened; later openings change nothing. One
    conditional UPDATE, so two openings at once record one time. True if this was the first."""
    now = timezone.now()
    first = Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=now
    )
    if first:
        invitation.opened_at = now
    return bool(first)


def version_questions(version: SurveyVersion) -> list[Question]:
    return list(version.questions.select_related("dimension").prefetch_related("items__dimension"))


def response_pages(questions: list[Question]) -> list[int]:
    return sorted({q.page for q in questions})


def _answers(response: Response, exclude_page: int | None = None) -> list[Answer]:
    answers = response.answers.select_related("question")
    if exclude_page is not None:
        answers = answers.exclude(question__page=exclude_page)
    return list(answers)


@transaction.atomic
def response_start(
    *,
    survey: Survey,
    channel: str,
    language: str,
    invitation: Invitation | None = None,
    customer=None,
    entered_by=None,
) -> Response:
    """A new response on the survey's current version, or the invitation's existing one
    (a token answers once). The version is locked from its first response on."""
    if invitation is not None:
        existing = Response.objects.filter(invitation=invitation).first()
        if existing is not None:
            return existing
        customer = None if survey.anonymous else invitation.customer
    version = survey.current_version
    now = timezone.now()
    if version.locked_at is None:
        SurveyVersion.objects.filter(pk=version.pk, locked_at__isnull=True).update(locked_at=now)
    # A survey asked in waves: the invitation's wave, else the wave of today's period.
    wave = invitation.wave if invitation is not None and invitation.wave_id else None
    if wave is None:
        from .waves import wave_for

        wave = wave_for(survey, now)
    return Response.objects.create(
        survey=survey,
        version=version,
        wave=wave,
        invitation=invitation,
        customer=None if survey.anonymous else customer,
        channel=channel,
        language=language,
        entered_by=entered_by,
        started_at=now,
        last_saved_at=now,
    )


def response_start_with_page(
    *, survey: Survey, channel: str, language: str, invitation: Invitation | None, page: int, data
) -> tuple[Response | None, ParsedPage]:
    """Start a response with its first page, in one transaction: a page that is refused
    (tampered, raising TamperedInput) or not acceptable (errors to show) stores nothing, not
    even an empty response, so a respondent's failed attempts leave no trace. The response is
    None then, unless the invitation had one already. Two first saves of one invitation at
    once (a double click): the second finds the response the first started."""
    for attempt in (1, 2):
        try:
            return _start_with_page(
                survey=survey, channel=channel, language=language, invitation=invitation,
                page=page, data=data,
            )  # fmt: skip
        except IntegrityError:
            if attempt == 2 or invitation is None:
                raise
    raise AssertionError("unreachable")


def _start_with_page(*, survey, channel, language, invitation, page, data):
    with transaction.atomic():
        had_one = Response.objects.filter(invitation=invitation).exists() if invitation else False
        response = response_start(
            survey=survey, channel=channel, language=language, invitation=invitation
        )
        parsed = response_save_page(response=response, page=page, data=data)
        if not parsed.ok:
            transaction.set_rollback(True)  # the page saved nothing: undo the start too
            return (response if had_one else None), parsed
    return response, parsed


def _locked(response: Response) -> Response:
    return Response.objects.select_for_update().get(pk=response.pk)


@transaction.atomic
def response_save_page(*, response: Response, page: int, data) -> ParsedPage:
    """Validate the page's answers and, only if all are acceptable, replace what was stored for
    that page. A submitted response is never changed: the page comes back unchanged."""
    response = _locked(response)
    questions = version_questions(response.version)
    on_page = [q for q in questions if q.page == page]
    parsed = parse_page(on_page, data)  # may raise TamperedInput: nothing written
    if response.is_submitted:
        return parsed
    values = answer_values(_answers(response, exclude_page=page))
    values.update(answer_values(parsed.cells))
    shown = shown_questions(on_page, values)
    shown_ids = {q.pk for q in shown}
    parsed.cells = [c for c in parsed.cells if c.question.pk in shown_ids]
    shown_fields = {name for q in shown for name, _dim, _role in question_cells(q)}
    parsed.errors = {n: m for n, m in parsed.errors.items() if n in shown_fields}
    check_required(parsed, shown)
    if not parsed.ok:
        return parsed
    response.answers.filter(question__in=on_page).delete()
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=c.question,
            dimension=c.dimension,
            role=c.role,
            number=c.number,
            text=c.text,
            choices=list(c.choices),
        )
        for c in parsed.cells
    )
    _update_counts(response, questions)
    response.save(update_fields=["last_saved_at", "shown_count", "answered_count"])
    return parsed


def _update_counts(response: Response, questions: list[Question]) -> list[Question]:
    answers = _answers(response)
    shown = shown_questions(questions, answer_values(answers))
    answered_ids = {a.question_id for a in answers}
    response.shown_count = len(shown)
    response.answered_count = sum(1 for q in shown if q.pk in answered_ids)
    response.last_saved_at = timezone.now()
    return shown


@dataclass
class SubmitResult:
    response: Response
    submitted_now: bool = False
    # Pages with required questions left unanswered: {page: [question codes]}.
    missing: dict[int, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.response.is_submitted


@transaction.atomic
def response_submit(*, response: Response) -> SubmitResult:
    """Submit once: a second submission (double click, resent form) changes nothing."""
    response = _locked(response)
    if response.is_submitted:
        return SubmitResult(response=response)
    questions = version_questions(response.version)
    answers = _answers(response)
    shown = shown_questions(questions, answer_values(answers))
    shown_ids = {q.pk for q in shown}
    # Answers to questions that a later change of an earlier answer hid are not part of it.
    stale = [a.pk for a in answers if a.question_id not in shown_ids]
    if stale:
        Answer.objects.filter(pk__in=stale).delete()
    answered = {a.question_id for a in answers if a.pk not in stale}
    missing: dict[int, list[str]] = {}
    for question in shown:
        if question.required and question.pk not in answered:
            missing.setdefault(question.page, []).append(question.code)
    if missing:
        return SubmitResult(response=response, missing=missing)
    _update_counts(response, questions)
    subject_set(response)
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = timezone.now()
    response.is_valid = is_valid_response(
        response.answered_count, response.shown_count, response.survey.validity_min_share
    )
    response.save()
    response_submitted.send(sender=Response, response=response)
    return SubmitResult(response=response, submitted_now=True)
