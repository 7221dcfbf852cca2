"""Export pages: what the user sees in a list, as CSV or Excel."""

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action

from ..choices import ImportKind
from ..exporting import (
    FORMATS,
    csv_chunks,
    export_filename,
    export_queryset,
    export_rows,
    xlsx_file,
)

_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_action(Action.EXPORT_DATA)
def export(request, kind: str, fmt: str):
    if kind not in ImportKind.values or fmt not in FORMATS:
        raise Http404
    queryset = export_queryset(user=request.user, kind=kind, params=request.GET)
    rows = export_rows(kind=kind, queryset=queryset)
    filename = export_filename(kind=kind, fmt=fmt)
    if fmt == "xlsx":
        return FileResponse(
            xlsx_file(rows, title=kind),
            as_attachment=True,
            filename=filename,
            content_type=_XLSX_TYPE,
        )
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
