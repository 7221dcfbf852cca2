"""Builder pages for a version's questions: add, edit, delete and move. The writes are
services.design's; a version locked since the page was loaded is refused there."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action

from ..forms.questions import QuestionForm, QuestionMoveForm
from ..models import Question, Survey, SurveyVersion
from ..services import design
from .builder import refuse, survey_context, survey_or_404, version_or_404, version_url


def _question(request, pk: int) -> Question:
    surveys = Survey.objects.visible_to(request.user)
    return get_object_or_404(
        Question.objects.select_related("version__survey__current_version"),
        pk=pk,
        version__survey__in=surveys,
    )


def _refused(request, version: SurveyVersion, exc: ValidationError):
    """A refusal of services.design: 409 for a locked version, else a message on its page."""
    message = " ".join(exc.messages)
    if getattr(exc, "code", None) == design.LOCKED:
        return refuse(request, version.survey, message)
    messages.error(request, message)
    return redirect(version_url(version))


def _question_form_page(request, version: SurveyVersion, question: Question | None):
    survey = version.survey
    form = QuestionForm(
        request.POST or None, instance=question or Question(version=version), version=version
    )
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationError as exc:
            form.add_refusal(exc)
        else:
            if form.ignored_changes:
                messages.warning(
                    request,
                    _("%(message)s Not saved: %(fields)s.")
                    % {
                        "message": design.locked_message(),
                        "fields": ", ".join(form.ignored_changes),
                    },
                )
            messages.success(
                request, _("Question “%(code)s” saved.") % {"code": form.instance.code}
            )
            if warning := form.weight_warning():
                messages.warning(request, warning)
            return redirect(version_url(version))
    return render(
        request,
        "surveys/builder/question_form.html",
        {
            **survey_context(request, survey),
            "form": form,
            "version": version,
            "question": question,
            "back_url": version_url(version),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.MANAGE_SURVEYS)
def question_create(request, pk: int):
    survey = survey_or_404(request, pk)
    if request.GET.get("version"):
        version = version_or_404(survey, request.GET["version"])
    else:
        version = design.draft_version(survey) or survey.current_version
    if version.is_locked:
        return refuse(request, survey, design.locked_message())
    return _question_form_page(request, version, None)


@require_action(Action.MANAGE_SURVEYS)
def question_edit(request, pk: int):
    question = _question(request, pk)
    return _question_form_page(request, question.version, question)


@require_action(Action.MANAGE_SURVEYS)
@require_POST
def question_delete(request, pk: int):
    question = _question(request, pk)
    version = question.version
    try:
        design.question_delete(question=question)
    except ValidationError as exc:
        return _refused(request, version, exc)
    messages.success(request, _("Question “%(code)s” deleted.") % {"code": question.code})
    return redirect(version_url(version))


@require_action(Action.MANAGE_SURVEYS)
@require_POST
def question_move(request, pk: int):
    question = _question(request, pk)
    version = question.version
    if version.is_locked:  # before looking at the request, as the service would
        return refuse(request, version.survey, design.locked_message())
    form = QuestionMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(version_url(version))
    try:
        design.question_move(question=question, direction=form.cleaned_data["direction"])
    except ValidationError as exc:
        return _refused(request, version, exc)
    return redirect(version_url(version))
