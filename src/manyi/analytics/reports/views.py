"""Report pages: the satisfaction report of a survey and period, its exports and the scheduled
reports. Thin: parse the request, call build/services, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.surveys.exporting import response_rows
from manyi.surveys.models import Survey

from ..models import ScheduledReport
from . import services
from .build import QUADRANT_LABELS, recommendations_for, report_build, report_responses
from .excel import report_xlsx
from .forms import ReportNoteForm, ReportPeriodForm, ScheduledReportForm
from .pdf import report_pdf
from .schedule import XLSX_TYPE, report_filename


def _survey(request, pk: int) -> Survey:
    return get_object_or_404(Survey.objects.visible_to(request.user), pk=pk)


def _report(request, survey: Survey):
    period = ReportPeriodForm(request.GET or None)
    since, until = period.period()
    report = report_build(
        survey=survey, since=since, until=until, user=request.user, language=get_language()
    )
    return period, report


@require_action(Action.VIEW_RECORDS)
def report(request, pk: int):
    survey = _survey(request, pk)
    can_manage = access.can(request.user, Action.MANAGE_SURVEYS)
    period = ReportPeriodForm(request.GET or None)
    since, until = period.period()
    query = urlencode({"since": since.isoformat(), "until": until.isoformat()})
    note_form = ReportNoteForm(
        initial={"recommendations": recommendations_for(survey=survey, since=since, until=until)}
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        note_form = ReportNoteForm(request.POST)
        if note_form.is_valid():
            services.report_note_save(
                survey=survey,
                since=since,
                until=until,
                recommendations=note_form.cleaned_data["recommendations"],
                user=request.user,
            )
            messages.success(request, _("Recommendations saved."))
            return redirect(reverse("reports:report", args=[survey.pk]) + "?" + query)
    built = report_build(
        survey=survey, since=since, until=until, user=request.user, language=get_language()
    )
    return render(
        request,
        "analytics/reports/report.html",
        {
            "active_nav": "surveys",
            "survey": survey,
            "report": built,
            "period": period,
            "query": query,
            "note_form": note_form,
            "can_manage": can_manage,
            "can_export": access.can(request.user, Action.EXPORT_DATA),
            "quadrant_labels": QUADRANT_LABELS,
        },
        status=400 if request.method == "POST" else 200,
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_action(Action.EXPORT_DATA)
def report_xlsx_download(request, pk: int):
    survey = _survey(request, pk)
    _period, built = _report(request, survey)
    responses = report_responses(
        survey=survey, since=built.since, until=built.until, user=request.user
    )
    content = report_xlsx(built, response_rows(survey=survey, queryset=responses))
    return _attachment(content, XLSX_TYPE, report_filename(pk, built.since, built.until, "xlsx"))


@require_action(Action.EXPORT_DATA)
def report_pdf_download(request, pk: int):
    survey = _survey(request, pk)
    _period, built = _report(request, survey)
    filename = report_filename(pk, built.since, built.until, "pdf")
    return _attachment(report_pdf(built), "application/pdf", filename)


@require_action(Action.MANAGE_SURVEYS)
def schedule_list(request):
    schedules = (
        ScheduledReport.objects.select_related("survey")
        .prefetch_related("recipients")
        .order_by("name", "pk")
    )
    return render(
        request,
        "analytics/reports/schedule_list.html",
        {"active_nav": "surveys", "schedules": schedules},
    )


def _schedule_form(request, schedule: ScheduledReport | None):
    form = ScheduledReportForm(request.POST or None, instance=schedule, user=request.user)
    if request.method == "POST" and form.is_valid():
        if schedule is None:
            form.instance.created_by = request.user
        form.save()
        messages.success(request, _("Scheduled report saved."))
        return redirect("reports:schedules")
    return render(
        request,
        "analytics/reports/schedule_form.html",
        {"active_nav": "surveys", "form": form, "schedule": schedule},
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.MANAGE_SURVEYS)
def schedule_create(request):
    return _schedule_form(request, None)


@require_action(Action.MANAGE_SURVEYS)
def schedule_edit(request, pk: int):
    return _schedule_form(request, get_object_or_404(ScheduledReport, pk=pk))


@require_POST
@require_action(Action.MANAGE_SURVEYS)
def schedule_delete(request, pk: int):
    get_object_or_404(ScheduledReport, pk=pk).delete()
    messages.success(request, _("Scheduled report deleted."))
    return redirect("reports:schedules")
