"""What came back: a survey's responses with its funnel, one response in full, and the export.
Every row comes through Response.objects.visible_to, so an agent sees only the answers of
their own team's customers."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.paging import page_of, query_without_page
from manyi.core.tabular import FORMATS, table_download
from manyi.privacy.choices import AuditAction
from manyi.privacy.queries import text_masker
from manyi.privacy.services import audit_record

from ..choices import ResponseChannel
from ..exporting import export_filename, response_rows
from ..forms.distribution import ResponseFilterSet
from ..models import Response, Survey
from ..queries import answered_questions, survey_funnel


def _survey(request, pk: int) -> Survey:
    return get_object_or_404(Survey.objects.visible_to(request.user), pk=pk)


def _filtered(request, survey: Survey) -> ResponseFilterSet:
    responses = Response.objects.visible_to(request.user).filter(survey=survey)
    return ResponseFilterSet(request.GET, queryset=responses, survey=survey)


@require_action(Action.VIEW_RECORDS)
def response_list(request, pk: int):
    survey = _survey(request, pk)
    filterset = _filtered(request, survey)
    responses = filterset.qs.select_related("customer", "version").order_by(
        F("submitted_at").desc(nulls_last=True), "-started_at", "-pk"
    )
    funnel = survey_funnel(survey=survey, user=request.user)
    page = page_of(request, responses)
    for row in page:
        row.language_name = _language_name(row.language)
    return render(
        request,
        "surveys/responses/response_list.html",
        {
            "active_nav": "surveys",
            "survey": survey,
            "survey_title": survey.title(get_language()),
            "funnel": funnel,
            "response_rate": _percent(funnel.response_rate),
            "valid_rate": _percent(funnel.valid_rate),
            "by_channel": [
                (ResponseChannel(channel).label, counts)
                for channel, counts in funnel.by_channel.items()
            ],
            "filter": filterset,
            "page": page,
            "query": query_without_page(request),
            "can_export": access.can(request.user, Action.EXPORT_DATA),
        },
    )


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else fraction * 100


@require_action(Action.VIEW_RECORDS)
def response_detail(request, pk: int):
    response = get_object_or_404(
        Response.objects.visible_to(request.user).select_related(
            "survey", "version", "customer", "entered_by", "invitation__distribution"
        ),
        pk=pk,
    )
    language = get_language()
    return render(
        request,
        "surveys/responses/response_detail.html",
        {
            "active_nav": "surveys",
            "response": response,
            "survey": response.survey,
            "survey_title": response.survey.title(language),
            "language_name": _language_name(response.language),
            "questions": answered_questions(response, language, mask=text_masker(request.user)),
            "min_share_percent": response.survey.validity_min_share * 100,
            "can_manage": access.can(request.user, Action.MANAGE_SURVEYS),
        },
    )


@require_action(Action.EXPORT_DATA)
def response_export(request, pk: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    survey = _survey(request, pk)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=survey,
        detail={
            "export": "responses",
            "format": fmt,
            "filters": {k: v for k, v in request.GET.items() if v},
        },
        request=request,
    )
    return table_download(
        response_rows(
            survey=survey,
            queryset=_filtered(request, survey).qs,
            text_mask=text_masker(request.user),
        ),
        fmt=fmt,
        filename=export_filename(survey=survey, fmt=fmt),
        title="responses",
    )


@require_action(Action.VIEW_RECORDS)
def wave_list(request, pk: int):
    """A survey asked in waves: each wave's results and the change against the one before."""
    from manyi.analytics.waves import wave_results

    survey = _survey(request, pk)
    return render(
        request,
        "surveys/responses/waves.html",
        {
            "active_nav": "surveys",
            "survey": survey,
            "survey_tab": "waves",
            "can_manage": access.can(request.user, Action.MANAGE_SURVEYS),
            "can_enter": access.can(request.user, Action.ENTER_RESPONSES),
            "rows": wave_results(survey=survey, user=request.user),
        },
    )
