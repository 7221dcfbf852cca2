"""Survey builder pages: surveys and their versions, preview and QR code. Questions are in
`questions.py`, evaluated items in `dimensions.py`. Views parse the request, then call
services.design or a form's save(); the helpers here are shared with those modules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.paging import page_of

from .. import queries
from ..blueprints import BLUEPRINTS
from ..choices import AnswerRole, SurveyStatus
from ..forms.builder import SurveyCreateForm, SurveySettingsForm, blueprint_cards
from ..forms.questions import describe_show_if
from ..models import Question, Survey, SurveyVersion
from ..qr import public_url, qr_svg
from ..scales import Scale, scale_for
from ..services import design


@dataclass(frozen=True)
class QuestionRow:
    """A question as the builder lists it, in the language it is shown in."""

    question: Question
    text: str
    help: str
    skip_rule: str
    options: list[tuple[str, str]]  # (value, label)
    items: list[tuple[str, Decimal]]  # (item name, weight)
    scale: Scale | None


def _language(request) -> str:
    """Which language to show survey content in: ?lang=, else the page's own."""
    language = request.GET.get("lang") or translation.get_language() or ""
    return "en" if language.startswith("en") else "zh"


def _rows(version: SurveyVersion, language: str) -> list[tuple[int, list[QuestionRow]]]:
    questions = version.questions.select_related("dimension").prefetch_related("items__dimension")
    rows = [
        QuestionRow(
            question=q,
            text=q.text(language),
            help=q.help(language),
            skip_rule=describe_show_if(q.show_if),
            options=[(o["value"], o.get(language) or o.get("zh", "")) for o in q.options or []],
            items=[(i.dimension.name(language), i.weight) for i in q.items.all()],
            scale=scale_for(q.type, q.scale_max, q.measure),
        )
        for q in questions
    ]
    return [(page, list(group)) for page, group in groupby(rows, key=lambda r: r.question.page)]


def survey_or_404(request, pk: int) -> Survey:
    return get_object_or_404(
        Survey.objects.visible_to(request.user).select_related("current_version"), pk=pk
    )


def version_or_404(survey: Survey, version_pk) -> SurveyVersion:
    """The survey's version with this id (from the path or `?version=`); anything else 404."""
    try:
        pk = int(version_pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    return get_object_or_404(survey.versions, pk=pk)


def version_url(version: SurveyVersion) -> str:
    survey = version.survey
    if version.pk == survey.current_version_id:
        return survey.get_absolute_url()
    return reverse("surveys:version_detail", args=[survey.pk, version.pk])


def refuse(request, survey: Survey, message: str):
    """409: the action conflicts with the survey's state; say why and change nothing."""
    return render(
        request,
        "surveys/builder/refused.html",
        {"active_nav": "surveys", "survey": survey, "message": message},
        status=409,
    )


def _submitted(funnel) -> int:
    return sum(completed for _started, completed, _valid in funnel.by_channel.values())


def _percent(share) -> float | None:
    return None if share is None else float(share) * 100


# ----- surveys ---------------------------------------------------------------------------


@require_action(Action.VIEW_RECORDS)
def survey_list(request):
    surveys = Survey.objects.visible_to(request.user).select_related("current_version")
    page = page_of(request, surveys)
    language = _language(request)
    rows = []
    for survey in page:
        funnel = queries.survey_funnel(survey=survey, user=request.user)
        rate = _percent(funnel.response_rate)
        rows.append((survey, survey.title(language), _submitted(funnel), rate))
    return render(
        request,
        "surveys/builder/list.html",
        {
            "active_nav": "surveys",
            "page": page,
            "rows": rows,
            "can_manage": access.can(request.user, Action.MANAGE_SURVEYS),
        },
    )


@require_action(Action.MANAGE_SURVEYS)
def survey_create(request):
    form = SurveyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["blueprint"]:
            survey = design.survey_create_from_blueprint(
                user=request.user,
                key=data["blueprint"],
                title_zh=data["title_zh"],
                title_en=data["title_en"],
            )
        else:
            survey = design.survey_create(
                user=request.user, title_zh=data["title_zh"].strip(), title_en=data["title_en"]
            )
        messages.success(request, _("Survey created."))
        return redirect(survey)
    return render(
        request,
        "surveys/builder/create.html",
        {"active_nav": "surveys", "form": form, "blueprints": blueprint_cards()},
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.VIEW_RECORDS)
def survey_detail(request, pk: int):
    survey = survey_or_404(request, pk)
    funnel = queries.survey_funnel(survey=survey, user=request.user)
    draft = design.draft_version(survey)
    show_link = survey.public_link_enabled and survey.status == SurveyStatus.OPEN
    return render(
        request,
        "surveys/builder/detail.html",
        {
            **survey_context(request, survey),
            "funnel": funnel,
            "submitted": _submitted(funnel),
            "response_rate": _percent(funnel.response_rate),
            "validity_percent": _percent(survey.validity_min_share),
            "blueprint_name": getattr(BLUEPRINTS.get(survey.blueprint), "name", ""),
            "pages": _rows(survey.current_version, _language(request)),
            "version": survey.current_version,
            "version_responses": survey.current_version.responses.count(),
            "versions": survey.versions.all(),
            "draft": draft,
            "editable_version": draft or survey.current_version,
            "public_url": public_url(survey) if show_link else None,
        },
    )


def survey_context(request, survey: Survey) -> dict:
    return {
        "active_nav": "surveys",
        "survey": survey,
        "can_manage": access.can(request.user, Action.MANAGE_SURVEYS),
        "can_enter": access.can(request.user, Action.ENTER_RESPONSES),
    }


@require_action(Action.MANAGE_SURVEYS)
def survey_edit(request, pk: int):
    survey = survey_or_404(request, pk)
    form = SurveySettingsForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect(survey)
    return render(
        request,
        "surveys/builder/survey_form.html",
        {**survey_context(request, survey), "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _confirm_page(request, survey: Survey, action: str):
    """Opening and closing change what respondents can do: a page says what will happen, with
    the numbers, and only its own button (which sends `confirmed`) does it."""
    return render(
        request,
        "surveys/builder/confirm_status.html",
        {
            **survey_context(request, survey),
            "action": action,
            "effects": queries.status_change_effects(survey=survey),
        },
    )


@require_action(Action.MANAGE_SURVEYS)
@require_http_methods(["GET", "POST"])
def survey_open(request, pk: int):
    survey = survey_or_404(request, pk)
    if request.method == "GET" or request.POST.get("confirmed") != "yes":
        return _confirm_page(request, survey, "open")
    try:
        design.survey_open(survey=survey)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The survey is open and its questions are locked."))
    return redirect(survey)


@require_action(Action.MANAGE_SURVEYS)
@require_http_methods(["GET", "POST"])
def survey_close(request, pk: int):
    survey = survey_or_404(request, pk)
    if survey.status != SurveyStatus.OPEN:
        return redirect(survey)
    if request.method == "GET" or request.POST.get("confirmed") != "yes":
        return _confirm_page(request, survey, "close")
    design.survey_close(survey=survey)
    messages.success(request, _("The survey is closed: it accepts no more answers."))
    return redirect(survey)


# ----- versions --------------------------------------------------------------------------


@require_action(Action.VIEW_RECORDS)
def version_detail(request, pk: int, version_pk: int):
    survey = survey_or_404(request, pk)
    version = version_or_404(survey, version_pk)
    return render(
        request,
        "surveys/builder/version_detail.html",
        {
            **survey_context(request, survey),
            "version": version,
            "pages": _rows(version, _language(request)),
            "is_current": version.pk == survey.current_version_id,
            "draft": design.draft_version(survey),
        },
    )


@require_action(Action.MANAGE_SURVEYS)
@require_POST
def version_create(request, pk: int):
    survey = survey_or_404(request, pk)
    if not survey.current_version.is_locked:
        messages.info(request, _("The current version can still be edited directly."))
        return redirect(survey)
    version = design.version_create_next(survey=survey)
    messages.success(
        request,
        _("Version %(n)s is a copy of the current questions: change it, then publish it.")
        % {"n": version.number},
    )
    return redirect(version_url(version))


@require_action(Action.MANAGE_SURVEYS)
@require_POST
def version_publish(request, pk: int, version_pk: int):
    survey = survey_or_404(request, pk)
    version = version_or_404(survey, version_pk)
    try:
        design.version_publish(survey=survey, version=version)
    except ValidationError as exc:
        return refuse(request, survey, " ".join(exc.messages))
    messages.success(
        request,
        _("Version %(n)s is published; earlier answers stay with their version.")
        % {"n": version.number},
    )
    return redirect(survey)


# ----- preview and QR code ---------------------------------------------------------------


@require_action(Action.VIEW_RECORDS)
def survey_preview(request, pk: int):
    survey = survey_or_404(request, pk)
    version = survey.current_version
    if request.GET.get("version"):
        version = version_or_404(survey, request.GET["version"])
    language = _language(request)
    # Survey content, scale labels included, in the respondent's language; the page frame
    # stays in the user's.
    with translation.override("en" if language == "en" else "zh-hans"):
        pages = [
            (number, [(row, _scale_points(row)) for row in rows])
            for number, rows in _rows(version, language)
        ]
        roles = {role: str(role.label) for role in (AnswerRole.EXPECTED, AnswerRole.EXPERIENCED)}
    return render(
        request,
        "surveys/builder/preview.html",
        {
            **survey_context(request, survey),
            "version": version,
            "language": language,
            "title": survey.title(language),
            "intro": survey.intro(language),
            "pages": pages,
            "roles": roles,
        },
    )


def _scale_points(row: QuestionRow) -> list[tuple[int, str]]:
    scale = row.scale
    return [(p, str(scale.labels.get(p, ""))) for p in scale.points] if scale else []


@require_action(Action.VIEW_RECORDS)
def survey_qr(request, pk: int):
    survey = survey_or_404(request, pk)
    if not survey.public_link_enabled:
        raise Http404(_("This survey's public link is turned off."))
    return HttpResponse(qr_svg(public_url(survey)), content_type="image/svg+xml")
