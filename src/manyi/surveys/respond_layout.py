"""How the respondent's pages lay out a version's questions: which questions each page shows
given the answers so far, and each question as the page template renders it. No request and
no writes here; `views.respond` turns this into pages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .answering import TEXT_TYPES, answer_values, field_name, is_shown
from .answering import question_cells as cells
from .choices import QuestionType
from .models import Answer, Question
from .scales import scale_for
from .services.responding import response_pages

_ONE_ROW_SCALES = {QuestionType.CSAT, QuestionType.NPS, QuestionType.CES}


@dataclass
class Layout:
    """The questions of the version being answered and which of them each page shows, given
    the answers stored so far."""

    questions: list[Question]
    answers: list[Answer]

    def __post_init__(self):
        self.values = answer_values(self.answers)
        self.pages = response_pages(self.questions)
        self._page_of = {q.code: q.page for q in self.questions}

    def same_page_condition(self, question: Question) -> bool:
        # Without JavaScript such a question cannot appear when its condition is met: it is
        # shown with a note, and the service drops its answer when the condition is false.
        source = (question.show_if or {}).get("question")
        return bool(source) and self._page_of.get(source) == question.page

    def shown(self, page: int) -> list[Question]:
        return [
            q
            for q in self.questions
            if q.page == page and (self.same_page_condition(q) or is_shown(q, self.values))
        ]

    def visible_pages(self) -> list[int]:
        return [p for p in self.pages if self.shown(p)] or self.pages[:1]

    def after(self, page: int) -> int | None:
        return next((p for p in self.visible_pages() if p > page), None)

    def before(self, page: int) -> int | None:
        return next((p for p in reversed(self.visible_pages()) if p < page), None)

    def form_values(self) -> dict[str, object]:
        """Stored answers as the form posts them, to fill the form in again."""
        values: dict[str, object] = {}
        for a in self.answers:
            if a.number is not None:
                value = str(a.number)
            elif a.question.type == QuestionType.MULTIPLE:
                value = [str(c) for c in a.choices]
            else:
                value = str(a.choices[0]) if a.choices else a.text
            values[field_name(a.question, a.dimension, a.role)] = value
        return values


@dataclass
class Field:
    """One input of a question: a row of radio buttons or a text box."""

    name: str
    value: object
    error: str = ""
    label: str = ""  # the evaluated item of a matrix row, or expected / experienced
    radios: bool = True


@dataclass
class QuestionView:
    """A question as the page template renders it, in the page's language."""

    question: Question
    kind: str  # "scale" for one-row ratings, else the question type
    text: str
    hint: str = ""
    note: str = ""
    # A follow-up on the same page as the answer it depends on: (field name, op, values as
    # JSON), for the page's script to show and hide it.
    condition: tuple[str, str, str] | None = None
    fields: list[Field] = field(default_factory=list)
    # (value, label): every point's label is spoken, the two ends' are also shown.
    points: list[tuple[str, str]] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)
    groups: list[tuple[str, list[Field]]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"q-{self.question.code}"

    @property
    def has_error(self) -> bool:
        return any(f.error for f in self.fields)

    @property
    def described_by(self) -> str:
        """Hint, note and error ids for the group or text box; matrix rows name their own."""
        ids = [f"{self.id}-h"] if self.hint else []
        ids += [f"{self.id}-n"] if self.note else []
        if self.kind not in ("matrix", "expectation") and self.fields[0].error:
            ids.append(f"{self.fields[0].name}-e")
        return " ".join(ids)


def option_label(option: dict, lang: str) -> str:
    key = "en" if lang == "en" else "zh"
    return option.get(key) or option.get("zh") or option.get("en") or str(option["value"])


def _note(question: Question, layout: Layout, lang: str) -> str:
    rule = question.show_if
    source = next(q for q in layout.questions if q.code == rule["question"])
    labels = {str(o["value"]): option_label(o, lang) for o in source.options or []}
    targets = rule.get("value") if isinstance(rule.get("value"), list) else [rule.get("value")]
    params = {
        "question": source.text(lang),
        "value": " / ".join(labels.get(str(t), str(t)) for t in targets),
    }
    notes = {
        "lte": _("Answer only if your answer to “%(question)s” is %(value)s or lower."),
        "gte": _("Answer only if your answer to “%(question)s” is %(value)s or higher."),
        "eq": _("Answer only if your answer to “%(question)s” is %(value)s."),
        "in": _("Answer only if your answer to “%(question)s” is %(value)s."),
    }
    return notes.get(rule.get("op"), _("Answer only if you answered “%(question)s”.")) % params


def _condition(question: Question, layout: Layout) -> tuple[str, str, str]:
    rule = question.show_if
    source = next(q for q in layout.questions if q.code == rule["question"])
    value = rule.get("value")
    values = value if isinstance(value, list) else ([] if value is None else [value])
    return field_name(source), rule.get("op", "answered"), json.dumps(values)


def question_view(
    question: Question, layout: Layout, values: dict, errors: dict, lang: str
) -> QuestionView:
    """`question` on its page, filled in with `values` and marked with `errors` (by field)."""
    kind = "scale" if question.type in _ONE_ROW_SCALES else question.type
    view = QuestionView(question, kind, question.text(lang), hint=question.help(lang))
    if layout.same_page_condition(question):
        view.note = _note(question, layout, lang)
        view.condition = _condition(question, layout)
    empty = [] if kind == QuestionType.MULTIPLE else ""
    for name, dimension, role in cells(question):
        if dimension is None:
            label = ""
        elif kind == QuestionType.EXPECTATION:
            label = _("Expected") if role == "expected" else _("Experienced")
        else:
            label = dimension.name(lang)
        radios = question.type not in TEXT_TYPES
        view.fields.append(
            Field(name, values.get(name, empty), errors.get(name, ""), label, radios)
        )
    if kind == QuestionType.EXPECTATION:
        items = [item.dimension.name(lang) for item in question.items.all()]
        view.groups = [(item, view.fields[2 * i : 2 * i + 2]) for i, item in enumerate(items)]
    if scale := scale_for(question.type, question.scale_max, question.measure):
        view.points = [(str(n), str(scale.labels.get(n, ""))) for n in scale.points]
    view.options = [(str(o["value"]), option_label(o, lang)) for o in question.options or []]
    return view
