"""A survey's responses as CSV or Excel: one row per response, one column per answered cell.

Columns cover every version of the survey (question codes in version order), so a file keeps
its shape when a new version is published. Matrix rows are `<code>.<item>`, expectation rows
`<code>.<item>.expected` / `.experienced`, and multiple choices are joined with ";". Rows are
read in chunks and written as they come, through `manyi.core.tabular`.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .choices import AnswerRole, QuestionType
from .models import Answer, Dimension, Question, Survey

__all__ = [
    "META_COLUMNS",
    "export_filename",
    "question_columns",
    "response_rows",
]

CHUNK_SIZE = 2000
META_COLUMNS = [
    "response_id",
    "submitted_at",
    "status",
    "valid",
    "channel",
    "language",
    "version",
    "customer_external_id",
]

# (question code, evaluated item code or "", role): one column of the file.
CellKey = tuple[str, str, str]


def _column_name(key: CellKey) -> str:
    code, dimension, role = key
    parts = [code, dimension] if dimension else [code]
    if role != AnswerRole.VALUE:
        parts.append(role)
    return ".".join(parts)


def question_columns(survey: Survey) -> dict[CellKey, str]:
    """Every cell any version of the survey asks, first-seen order: version, page, position."""
    questions = (
        Question.objects.filter(version__survey=survey)
        .order_by("version__number", "page", "position", "pk")
        .prefetch_related("items__dimension")
    )
    columns: dict[CellKey, str] = {}
    for question in questions:
        if question.type == QuestionType.MATRIX:
            keys = [
                (question.code, i.dimension.code, AnswerRole.VALUE) for i in question.items.all()
            ]
        elif question.type == QuestionType.EXPECTATION:
            keys = [
                (question.code, i.dimension.code, role)
                for i in question.items.all()
                for role in (AnswerRole.EXPECTED, AnswerRole.EXPERIENCED)
            ]
        else:
            keys = [(question.code, "", AnswerRole.VALUE)]
        for key in keys:
            columns.setdefault(key, _column_name(key))
    return columns


def _answer_value(answer: Answer, text_mask=None):
    if answer.number is not None:
        return answer.number
    if answer.choices:
        return ";".join(str(c) for c in answer.choices)
    return text_mask(answer.text) if text_mask else answer.text


def response_rows(*, survey: Survey, queryset: QuerySet, text_mask=None) -> Iterator[list]:
    """The header row, then one row per response of `queryset` (already scoped and filtered).
    `text_mask` hides contact details in open text (privacy.queries.text_masker)."""
    columns = question_columns(survey)
    position = {key: i for i, key in enumerate(columns)}
    codes = dict(Question.objects.filter(version__survey=survey).values_list("pk", "code"))
    dimensions = dict(Dimension.objects.values_list("pk", "code"))
    yield [*META_COLUMNS, *columns.values()]
    answers = Answer.objects.only(
        "response_id", "question_id", "dimension_id", "role", "number", "text", "choices"
    )
    responses = (
        queryset.select_related("version", "customer")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("pk")
    )
    for response in responses.iterator(chunk_size=CHUNK_SIZE):
        cells: list = [None] * len(columns)
        for answer in response.answers.all():
            key = (codes[answer.question_id], dimensions.get(answer.dimension_id, ""), answer.role)
            if key in position:
                cells[position[key]] = _answer_value(answer, text_mask)
        submitted = response.submitted_at
        yield [
            response.pk,
            timezone.localtime(submitted).isoformat(timespec="seconds") if submitted else "",
            response.status,
            response.is_valid,
            response.channel,
            response.language,
            response.version.number,
            (response.customer.external_id or "") if response.customer else "",
            *cells,
        ]


def export_filename(*, survey: Survey, fmt: str) -> str:
    return f"responses-{survey.pk}-{timezone.localdate().isoformat()}.{fmt}"
