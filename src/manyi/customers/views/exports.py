"""Export pages: what the user sees in a list, as CSV or Excel."""

from django.http import Http404

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.tabular import FORMATS, table_download

from ..choices import ImportKind
from ..exporting import export_filename, export_queryset, export_rows


@require_action(Action.EXPORT_DATA)
def export(request, kind: str, fmt: str):
    if kind not in ImportKind.values or fmt not in FORMATS:
        raise Http404
    queryset = export_queryset(user=request.user, kind=kind, params=request.GET)
    return table_download(
        export_rows(kind=kind, queryset=queryset),
        fmt=fmt,
        filename=export_filename(kind=kind, fmt=fmt),
        title=kind,
    )
