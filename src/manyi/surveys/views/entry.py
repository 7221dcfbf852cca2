"""Staff entry: an agent records the answers a customer gave by phone, face to face or on
paper, all questions on one page, marked with that channel and with who entered them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.customers.filters import CustomerFilterSet
from manyi.customers.models import Customer

from ..answering import CHOICE_TYPES, ITEM_TYPES, TamperedInput, question_cells
from ..choices import AnswerRole, QuestionType
from ..forms.distribution import EntryForm
from ..forms.questions import describe_ask_if
from ..models import Question, Response, Survey
from ..scales import scale_for
from ..services.entry import response_enter
from ..services.responding import version_questions

SEARCH_LIMIT = 20


@dataclass(frozen=True)
class EntryInput:
    """One input of the entry form: a rating row, a choice list or a text box."""

    name: str
    kind: str  # "scale", "single", "multiple", "short" or "long"
    label: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    value: str | list[str] = ""
    error: str = ""
    max_length: int = 0


@dataclass(frozen=True)
class EntryQuestion:
    question: Question
    text: str
    other_text: str  # the wording in the other language, to read it out as asked
    help: str
    inputs: list[EntryInput]
    ask_if: str = ""  # the skip rule as an instruction: "Ask only if ... is at most 6"

    @property
    def is_grid(self) -> bool:
        """Rows of evaluated items rated on one scale: shown as a table, quicker to fill."""
        return self.question.type in ITEM_TYPES

    @property
    def points(self) -> list[tuple[str, str]]:
        return self.inputs[0].choices if self.inputs else []


def _other_language(language: str) -> str:
    return "zh-hans" if language.startswith("en") else "en"


def _option_label(option: dict, language: str) -> str:
    key, other = ("en", "zh") if language.startswith("en") else ("zh", "en")
    return option.get(key) or option.get(other) or str(option["value"])


def _inputs(question: Question, language: str, values: dict, errors: dict) -> list[EntryInput]:
    scale = scale_for(question.type, question.scale_max, question.measure)
    role_labels = {AnswerRole.EXPECTED: _("Expected"), AnswerRole.EXPERIENCED: _("Experienced")}
    inputs = []
    for name, dimension, role in question_cells(question):
        label = dimension.name(language) if dimension is not None else ""
        if role in role_labels:
            label = f"{label} · {role_labels[role]}"
        common = {"name": name, "label": label, "error": errors.get(name, "")}
        if scale is not None:
            points = [(str(p), str(scale.labels.get(p, ""))) for p in scale.points]
            inputs.append(
                EntryInput(kind="scale", choices=points, value=values.get(name, ""), **common)
            )
        elif question.type in CHOICE_TYPES:
            options = [(str(o["value"]), _option_label(o, language)) for o in question.options]
            multiple = question.type == QuestionType.MULTIPLE
            value = values.get(name, [] if multiple else "")
            kind = "multiple" if multiple else "single"
            inputs.append(EntryInput(kind=kind, choices=options, value=value, **common))
        else:
            kind = "long" if question.type == QuestionType.LONG_TEXT else "short"
            inputs.append(
                EntryInput(
                    kind=kind,
                    value=values.get(name, ""),
                    max_length=question.max_length,
                    **common,
                )
            )
    return inputs


def entry_questions(questions: list[Question], values: dict, errors: dict) -> list[EntryQuestion]:
    language = get_language()
    other = _other_language(language)
    blocks = []
    for question in questions:
        text, other_text = question.text(language), question.text(other)
        blocks.append(
            EntryQuestion(
                question=question,
                text=text,
                other_text="" if other_text == text else other_text,
                help=question.help(language),
                ask_if=describe_ask_if(question.show_if),
                inputs=_inputs(question, language, values, errors),
            )
        )
    return blocks


def _posted_values(questions: list[Question], data) -> dict:
    """What was posted, to re-fill the form when the input could not even be parsed."""
    values: dict = {}
    for question in questions:
        for name, _dim, _role in question_cells(question):
            many = question.type == QuestionType.MULTIPLE
            values[name] = data.getlist(name) if many else data.get(name, "")
    return values


def _search(request) -> tuple[str, list[Customer]]:
    term = request.GET.get("find", "").strip()
    if not term:
        return "", []
    visible = Customer.objects.visible_to(request.user)
    found = CustomerFilterSet({"q": term}, queryset=visible).qs.prefetch_related("contacts")
    return term, list(found[:SEARCH_LIMIT])


def _initial(request, survey: Survey, found: list[Customer]) -> dict:
    """The form as the interviewer left it, filled with the customer they chose; a search
    that finds exactly one customer chooses that one."""
    initial = {"language": get_language()}
    for name in ("channel", "language"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    if survey.anonymous:
        return initial
    picked = request.GET.get("customer_pk", "")
    customer = None
    if picked.isdigit():
        customer = Customer.objects.visible_to(request.user).filter(pk=picked).first()
    elif len(found) == 1:
        customer = found[0]
    if customer is not None:
        initial.update(customer_pk=customer.pk, language=customer.language)
    else:
        initial["customer"] = request.GET.get("customer", "")[:64]
    return initial


def _picked_customer(form: EntryForm, request) -> Customer | None:
    pk = form["customer_pk"].value() if "customer_pk" in form.fields else None
    if not pk or not str(pk).isdigit():
        return None
    return Customer.objects.visible_to(request.user).filter(pk=pk).first()


@require_action(Action.ENTER_RESPONSES)
def entry(request, pk: int):
    survey = get_object_or_404(
        Survey.objects.visible_to(request.user).select_related("current_version"), pk=pk
    )
    context = {
        "active_nav": "surveys",
        "survey": survey,
        "survey_title": survey.title(get_language()),
    }
    if not survey.is_accepting_answers():
        return render(request, "surveys/entry/entry.html", {**context, "closed": True}, status=409)
    questions = version_questions(survey.current_version)
    values: dict = {}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST, user=request.user, survey=survey)
        values = _posted_values(questions, request.POST)
        if form.is_valid():
            try:
                result = response_enter(
                    survey=survey,
                    user=request.user,
                    channel=form.cleaned_data["channel"],
                    language=form.cleaned_data["language"],
                    customer=form.cleaned_data["customer_obj"],
                    data=request.POST,
                    consent_override_reason=form.cleaned_data.get("consent_override_reason", ""),
                )
            except TamperedInput as exc:
                form.add_error(None, str(exc))
            else:
                if result.ok:
                    return _saved(request, survey, result.response)
                values.update(result.values)
                errors = result.errors
        status = 400
        messages.error(request, _("The answers were not saved: please correct the marked fields."))
    term, found = _search(request)
    if request.method != "POST":
        form = EntryForm(initial=_initial(request, survey, found), user=request.user, survey=survey)
    picked = _picked_customer(form, request)
    return render(
        request,
        "surveys/entry/entry.html",
        {
            **context,
            "form": form,
            "questions": entry_questions(questions, values, errors),
            "picked": picked,
            "phone_consent_missing": picked is not None and not picked.consent_phone,
            "term": term,
            "found": found,
        },
        status=status,
    )


def _saved(request, survey: Survey, response: Response):
    messages.success(request, _("The response was saved."))
    # An agent does not see a response without a customer of their team: stay on the form.
    if Response.objects.visible_to(request.user).filter(pk=response.pk).exists():
        return redirect("surveys:response_detail", response.pk)
    return redirect("surveys:entry", survey.pk)
