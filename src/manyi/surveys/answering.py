"""Reading a respondent's form: which fields a page expects, what the posted values mean, and
which questions are shown given earlier answers. Nothing here writes; services do."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .choices import AnswerRole, QuestionType
from .models import Answer, Dimension, Question
from .scales import scale_for

FIELD_PREFIX = "q__"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CHOICE_TYPES = {QuestionType.SINGLE, QuestionType.MULTIPLE}
TEXT_TYPES = {QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT}
ITEM_TYPES = {QuestionType.MATRIX, QuestionType.EXPECTATION}


class TamperedInput(ValueError):
    """The form was not one this page sent: unknown fields, repeated values, nonsense."""


@dataclass(frozen=True)
class Cell:
    """One value to store: a question (and an evaluated item and role for matrix rows)."""

    question: Question
    dimension: Dimension | None = None
    role: str = AnswerRole.VALUE
    number: int | None = None
    text: str = ""
    choices: tuple[str, ...] = ()

    @property
    def dimension_id(self) -> int | None:
        return self.dimension.pk if self.dimension is not None else None


@dataclass
class ParsedPage:
    cells: list[Cell] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message
    values: dict[str, str | list[str]] = field(default_factory=dict)  # to re-fill the form

    @property
    def ok(self) -> bool:
        return not self.errors


def field_name(question: Question, dimension: Dimension | None = None, role: str = "") -> str:
    parts = [question.code]
    if dimension is not None:
        parts.append(dimension.code)
    if role and role != AnswerRole.VALUE:
        parts.append(role)
    return FIELD_PREFIX + "__".join(parts)


def question_cells(question: Question) -> list[tuple[str, Dimension | None, str]]:
    """(field name, evaluated item, role) of every input a question renders."""
    if question.type == QuestionType.MATRIX:
        return [
            (field_name(question, item.dimension), item.dimension, AnswerRole.VALUE)
            for item in question.items.all()
        ]
    if question.type == QuestionType.EXPECTATION:
        return [
            (field_name(question, item.dimension, role), item.dimension, role)
            for item in question.items.all()
            for role in (AnswerRole.EXPECTED, AnswerRole.EXPERIENCED)
        ]
    return [(field_name(question), None, AnswerRole.VALUE)]


def clean_text(value: str) -> str:
    # Control characters (NUL above all, which PostgreSQL refuses) never reach the database.
    return _CONTROL.sub("", value).strip()


def parse_page(questions: Iterable[Question], data: Mapping) -> ParsedPage:
    """Parse the posted answers to the questions of one page.

    `data` is a QueryDict (or a dict of lists). Unknown answer fields or repeated values of a
    single-valued field raise TamperedInput; wrong values give per-field messages. Required
    answers are checked by `check_required`, once it is known which questions are shown."""
    questions = list(questions)
    expected = {name: (q, dim, role) for q in questions for name, dim, role in question_cells(q)}
    posted = [key for key in data if key.startswith(FIELD_PREFIX)]
    unknown = sorted(set(posted) - set(expected))
    if unknown:
        raise TamperedInput(
            _("Unknown answer field(s): %(names)s.") % {"names": ", ".join(unknown)}
        )

    page = ParsedPage()
    for name, (question, dimension, role) in expected.items():
        raw = _values(data, name)
        if question.type == QuestionType.MULTIPLE:
            page.values[name] = raw
        elif len(raw) > 1:
            raise TamperedInput(_("Answer field %(name)s was sent twice.") % {"name": name})
        else:
            page.values[name] = raw[0] if raw else ""
        cell, error = _parse_cell(question, dimension, role, raw)
        if error:
            page.errors[name] = error
        elif cell is not None:
            page.cells.append(cell)
    return page


def answer_required() -> str:
    """The message beside a required question left unanswered (one wording everywhere)."""
    return _("Please answer this question.")


def unanswered(questions: Iterable[Question], answered) -> dict[str, str]:
    """{field: message} for every input of the required `questions` not in `answered`."""
    return {
        name: answer_required()
        for question in questions
        if question.required
        for name, _dimension, _role in question_cells(question)
        if name not in answered
    }


def check_required(page: ParsedPage, shown: Iterable[Question]) -> None:
    """Add a message for every unanswered input of a required, shown question. Kept apart
    from parsing because what is shown depends on the answers just parsed."""
    answered = {field_name(c.question, c.dimension, c.role) for c in page.cells}
    for name, message in unanswered(shown, answered).items():
        page.errors.setdefault(name, message)


def _values(data: Mapping, name: str) -> list[str]:
    values = data.getlist(name) if hasattr(data, "getlist") else list(data.get(name, []))
    return [v for v in (str(v).strip() for v in values) if v]


def _parse_cell(question, dimension, role, raw: list[str]) -> tuple[Cell | None, str | None]:
    if not raw:
        return None, None
    scale = scale_for(question.type, question.scale_max, question.measure)
    if scale is not None:
        try:
            number = int(raw[0])
        except ValueError:
            return None, _("Choose one of the points of the scale.")
        if not scale.contains(number):
            return None, _("Choose a value from %(low)s to %(high)s.") % {
                "low": scale.low,
                "high": scale.high,
            }
        return Cell(question, dimension, role, number=number), None
    if question.type in CHOICE_TYPES:
        allowed = {str(option["value"]) for option in question.options}
        chosen = tuple(dict.fromkeys(raw))  # keep order, drop repeats
        if any(value not in allowed for value in chosen):
            return None, _("Choose from the options shown.")
        return Cell(question, dimension, role, choices=chosen), None
    text = clean_text(raw[0])
    if len(text) > question.max_length:
        return None, _("Please keep this answer under %(n)s characters (it has %(len)s).") % {
            "n": question.max_length,
            "len": len(text),
        }
    return (Cell(question, dimension, role, text=text), None) if text else (None, None)


def answer_values(answers: Iterable[Answer | Cell]) -> dict[str, object]:
    """Question code -> answered value (number, list of choices or text), for skip logic.
    Matrix questions map to True when any row is answered. Takes stored answers or parsed
    cells alike."""
    values: dict[str, object] = {}
    for answer in answers:
        code = answer.question.code
        if answer.dimension_id is not None:
            values[code] = True
        elif answer.number is not None:
            values[code] = answer.number
        elif answer.choices:
            values[code] = list(answer.choices)
        elif answer.text:
            values[code] = answer.text
    return values


def shown_questions(questions: Iterable[Question], values: Mapping[str, object]) -> list:
    """The questions the answers so far show: the one rule (`is_shown`) that the respondent
    pages, staff entry, the validity of a response and the demo all follow. (The respondent
    page also lists a question whose condition is on its own page, with a note: without
    JavaScript it cannot appear when the condition is met; `respond_layout`.)"""
    return [q for q in questions if is_shown(q, values)]


def is_shown(question: Question, values: Mapping[str, object]) -> bool:
    """Apply the question's `show_if` rule to earlier answers; no rule means always shown."""
    rule = question.show_if or {}
    if not rule.get("question"):
        return True
    answer = values.get(rule["question"])
    if answer is None:
        return False
    op, target = rule.get("op", "answered"), rule.get("value")
    if op == "answered":
        return True
    if isinstance(answer, list):  # multiple choice: any chosen option matches
        targets = target if isinstance(target, list) else [target]
        return any(str(t) in answer for t in targets) if op in ("eq", "in") else False
    try:
        if op == "lte":
            return float(answer) <= float(target)
        if op == "gte":
            return float(answer) >= float(target)
    except (TypeError, ValueError):
        return False
    if op == "eq":
        return str(answer) == str(target)
    if op == "in":
        return str(answer) in {str(t) for t in (target or [])}
    return False
