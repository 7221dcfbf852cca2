"""Import pages: upload a file, check the preview, confirm, follow the progress, read the
report; and the uploaded file itself, which has no public URL."""

from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.tabular import csv_chunks, table_download
from manyi.privacy.choices import AuditAction
from manyi.privacy.services import audit_record

from ..choices import ImportKind, ImportStatus
from ..forms_import import ImportUploadForm
from ..importing import (
    import_cancel,
    import_error_rows,
    import_job_create,
    import_preview,
    import_resume,
    import_start,
)
from ..importing.columns import COLUMNS, template_headers
from ..importing.progress import import_progress
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
    job = _job(request, pk)
    if request.method == "POST":
        if job.status == ImportStatus.UPLOADED and import_preview(job=job).can_import:
            import_start(job=job)
            # An import creates and changes customers' personal data in bulk: who started it
            # is in the audit log (the kind and file, never the rows).
            audit_record(
                actor=request.user,
                action=AuditAction.CHANGE,
                obj=job,
                detail={"import": job.kind, "rows": job.total_rows},
                request=request,
            )
            messages.success(request, _("The import is queued; this page follows its progress."))
        return redirect(job)
    context = {"active_nav": "imports", "job": job}
    if job.status == ImportStatus.UPLOADED:
        context["preview"] = import_preview(job=job)
    else:
        if job.is_active:
            context["progress"] = import_progress(job)
        context["errors"] = job.errors[:_REPORT_ERRORS_SHOWN]
        context["more_errors"] = max(len(job.errors) - _REPORT_ERRORS_SHOWN, 0)
    return render(request, "customers/imports/detail.html", context)


@require_action(Action.IMPORT_DATA)
def import_status(request, pk: int):
    """The progress as JSON, for the script that updates the job page."""
    job = _job(request, pk)
    progress = import_progress(job)
    html = render_to_string(
        "customers/imports/_progress.html", {"job": job, "progress": progress}, request=request
    )
    return JsonResponse(
        {
            "status": job.status,
            "active": progress.active,
            "stalled": progress.stalled,
            "rows_done": progress.rows_done,
            "total": progress.total,
            "rate": progress.rate,
            "seconds_left": progress.seconds_left,
            "html": html,
        },
        headers={"Cache-Control": "no-store"},
    )


@require_POST
@require_action(Action.IMPORT_DATA)
def import_cancel_view(request, pk: int):
    job = import_cancel(job=_job(request, pk))
    if job.status == ImportStatus.CANCELLED:
        messages.success(request, _("The import is cancelled."))
    elif job.cancel_requested and job.status == ImportStatus.RUNNING:
        messages.info(request, _("The import stops after the rows it is saving now."))
    return redirect(job)


@require_POST
@require_action(Action.IMPORT_DATA)
def import_resume_view(request, pk: int):
    job = _job(request, pk)
    if import_resume(job=job):
        messages.success(request, _("The import goes on from its last saved rows."))
    return redirect(job)


@require_action(Action.IMPORT_DATA)
def import_file(request, pk: int):
    """The uploaded file, to whoever may see the import; it has no other URL."""
    job = _job(request, pk)
    try:
        handle = job.file.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=job.original_name or PurePath(job.file.name).name
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_action(Action.IMPORT_DATA)
def import_errors(request, pk: int):
    job = _job(request, pk)
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


def _job(request, pk: int):
    return get_object_or_404(import_jobs_visible_to(user=request.user), pk=pk)


def _required(kind: str) -> str:
    return ", ".join(column.header for column in COLUMNS[kind] if column.required)
