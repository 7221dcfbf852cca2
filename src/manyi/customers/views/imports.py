"""Import pages: upload a file, check the preview, confirm, read the report."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.tabular import csv_chunks, table_download

from ..choices import ImportKind, ImportStatus
from ..forms_import import ImportUploadForm
from ..importing import import_error_rows, import_job_create, import_preview, import_run
from ..importing.columns import COLUMNS, template_headers
from ..importing.services import import_jobs_visible_to

_REPORT_ERRORS_SHOWN = 500


@require_action(Action.IMPORT_DATA)
def import_list(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                user=request.user,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect(job)
    return render(
        request,
        "customers/imports/list.html",
        {
            "active_nav": "imports",
            "form": form,
            "jobs": import_jobs_visible_to(user=request.user).select_related("created_by")[:50],
            "kinds": [(kind, label, _required(kind)) for kind, label in ImportKind.choices],
            "can_export": access.can(request.user, Action.EXPORT_DATA),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.IMPORT_DATA)
def import_detail(request, pk: int):
    job = get_object_or_404(import_jobs_visible_to(user=request.user), pk=pk)
    if request.method == "POST":
        if job.status == ImportStatus.UPLOADED:
            job = import_run(job=job)
            if job.status == ImportStatus.DONE:
                messages.success(request, _("The import is finished."))
        return redirect(job)
    context = {"active_nav": "imports", "job": job}
    if job.status == ImportStatus.UPLOADED:
        context["preview"] = import_preview(job=job)
    else:
        context["errors"] = job.errors[:_REPORT_ERRORS_SHOWN]
        context["more_errors"] = max(len(job.errors) - _REPORT_ERRORS_SHOWN, 0)
    return render(request, "customers/imports/detail.html", context)


@require_action(Action.IMPORT_DATA)
def import_errors(request, pk: int):
    job = get_object_or_404(import_jobs_visible_to(user=request.user), pk=pk)
    return table_download(
        import_error_rows(job=job), fmt="csv", filename=f"import-{job.pk}-errors.csv", title=""
    )


@require_action(Action.IMPORT_DATA)
def import_template(request, kind: str):
    if kind not in ImportKind.values:
        raise Http404
    # One line: sent whole rather than streamed.
    response = HttpResponse(
        b"".join(csv_chunks([template_headers(kind)])), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{kind}-template.csv"
    )
    return response


def _required(kind: str) -> str:
    return ", ".join(column.header for column in COLUMNS[kind] if column.required)
