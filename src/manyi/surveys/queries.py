"""Reads about surveys: the response funnel and counts, scoped by the user's access, and a
response's answers as people read them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from manyi.metrics.quality import rate

from .choices import AnswerRole, InvitationStatus, QuestionType, ResponseStatus
from .models import Answer, Invitation, Question, Response, Survey
from .scales import scale_for
from .services.responding import version_questions


@dataclass(frozen=True)
class Funnel:
    """Invitation funnel (invited → valid) and all responses by channel."""

    invited: int
    delivered: int
    opened: int
    started: int
    completed: int
    valid: int
    # Every response, invited or not (public link, staff entry): {channel: (started, completed,
    # valid)}.
    by_channel: dict[str, tuple[int, int, int]]

    @property
    def response_rate(self) -> float | None:
        """METHODS.md: responses / invitations delivered."""
        return rate(self.completed, self.delivered)

    @property
    def all_completed(self) -> int:
        """Submitted responses over every channel (invited or not)."""
        return sum(c for _s, c, _v in self.by_channel.values())

    @property
    def all_valid(self) -> int:
        """Valid responses over every channel: the numerator of `valid_rate`."""
        return sum(v for _s, _c, v in self.by_channel.values())

    @property
    def valid_rate(self) -> float | None:
        """Valid responses / responses, over every channel."""
        return rate(self.all_valid, self.all_completed)

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [
            ("invited", self.invited),
            ("delivered", self.delivered),
            ("opened", self.opened),
            ("started", self.started),
            ("completed", self.completed),
            ("valid", self.valid),
        ]


def survey_funnel(*, survey: Survey, user) -> Funnel:
    invitations = Invitation.objects.visible_to(user).filter(survey=survey)
    inv = invitations.aggregate(
        invited=Count("pk"),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        started=Count("response"),
        completed=Count("response", filter=Q(response__status=ResponseStatus.SUBMITTED)),
        valid=Count("response", filter=Q(response__is_valid=True)),
    )
    rows = (
        Response.objects.visible_to(user)
        .filter(survey=survey)
        .values("channel")
        .annotate(
            started=Count("pk"),
            completed=Count("pk", filter=Q(status=ResponseStatus.SUBMITTED)),
            valid=Count("pk", filter=Q(is_valid=True)),
        )
        .order_by("channel")
    )
    by_channel = {r["channel"]: (r["started"], r["completed"], r["valid"]) for r in rows}
    return Funnel(**inv, by_channel=by_channel)


@dataclass(frozen=True)
class StatusChangeEffects:
    """What opening or closing a survey changes, in numbers, for the confirmation page."""

    questions: int
    version_locked: bool
    version_responses: int
    in_progress: int  # responses started and not submitted
    waiting_invitations: int  # not yet handed to a provider: skipped once closed
    unanswered_invitations: int  # sent, not answered: their links show "closed"


def status_change_effects(*, survey: Survey) -> StatusChangeEffects:
    version = survey.current_version
    responses = Response.objects.filter(survey=survey).aggregate(
        in_progress=Count("pk", filter=Q(status=ResponseStatus.IN_PROGRESS)),
        version_responses=Count("pk", filter=Q(version=version)),
    )
    invitations = Invitation.objects.filter(survey=survey).aggregate(
        waiting=Count(
            "pk", filter=Q(status__in=[InvitationStatus.PENDING, InvitationStatus.SENDING])
        ),
        unanswered=Count(
            "pk",
            filter=Q(status=InvitationStatus.SENT) & ~Q(response__status=ResponseStatus.SUBMITTED),
        ),
    )
    return StatusChangeEffects(
        questions=version.questions.count(),
        version_locked=version.locked_at is not None,
        version_responses=responses["version_responses"],
        in_progress=responses["in_progress"],
        waiting_invitations=invitations["waiting"],
        unanswered_invitations=invitations["unanswered"],
    )


@dataclass(frozen=True)
class AnswerLine:
    """One line under a question: its value, or one evaluated item's value(s)."""

    label: str = ""
    value: str = ""
    expected: str = ""
    experienced: str = ""
    gap: int | None = None


@dataclass(frozen=True)
class AnsweredQuestion:
    question: Question
    text: str
    layout: str  # "plain", "matrix" or "expectation"
    lines: list[AnswerLine] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return any(line.value or line.expected or line.experienced for line in self.lines)


def _rating(question: Question, number: int | None) -> str:
    if number is None:
        return ""
    scale = scale_for(question.type, question.scale_max, question.measure)
    label = scale.labels.get(number) if scale else None
    return f"{number} · {label}" if label else str(number)


def _choice_labels(question: Question, values, language: str) -> str:
    key, other = ("en", "zh") if language.startswith("en") else ("zh", "en")
    labels = {
        str(o["value"]): o.get(key) or o.get(other) or str(o["value"]) for o in question.options
    }
    return "; ".join(labels.get(str(v), str(v)) for v in values)


def _plain_value(question: Question, answer: Answer | None, language: str, mask=None) -> str:
    if answer is None:
        return ""
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return _choice_labels(question, answer.choices, language)
    if answer.number is not None:
        return _rating(question, answer.number)
    if answer.redacted_at is not None:
        return _("(text removed under the retention policy)")
    return mask(answer.text) if mask else answer.text


def answered_questions(response: Response, language: str, mask=None) -> list[AnsweredQuestion]:
    """Every question of the response's version with what was answered, in the given
    language: rating labels, option labels and item names included. `mask` hides the contact
    details in open text (privacy.queries.text_masker)."""
    cells = {(a.question_id, a.dimension_id, a.role): a for a in response.answers.all()}
    result = []
    for question in version_questions(response.version):
        items = list(question.items.all())
        if question.type == QuestionType.MATRIX:
            lines = [
                AnswerLine(
                    label=i.dimension.name(language),
                    value=_rating(question, _number(cells, question, i, AnswerRole.VALUE)),
                )
                for i in items
            ]
            layout = "matrix"
        elif question.type == QuestionType.EXPECTATION:
            lines = []
            for i in items:
                expected = _number(cells, question, i, AnswerRole.EXPECTED)
                experienced = _number(cells, question, i, AnswerRole.EXPERIENCED)
                both = expected is not None and experienced is not None
                lines.append(
                    AnswerLine(
                        label=i.dimension.name(language),
                        expected=_rating(question, expected),
                        experienced=_rating(question, experienced),
                        gap=experienced - expected if both else None,
                    )
                )
            layout = "expectation"
        else:
            answer = cells.get((question.pk, None, AnswerRole.VALUE))
            lines = [AnswerLine(value=_plain_value(question, answer, language, mask))]
            layout = "plain"
        result.append(AnsweredQuestion(question, question.text(language), layout, lines))
    return result


def _number(cells, question: Question, item, role: str) -> int | None:
    answer = cells.get((question.pk, item.dimension_id, role))
    return answer.number if answer is not None else None
