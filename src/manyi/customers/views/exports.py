"""Export pages: what the user sees in a list, as CSV or Excel."""

from django.http import Http404

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.tabular import FORMATS, table_download
from manyi.privacy.choices import AuditAction
from manyi.privacy.queries import contact_masker, sees_contacts
from manyi.privacy.services import audit_record

from ..choices import ImportKind
from ..exporting import export_filename, export_queryset, export_rows


@require_action(Action.EXPORT_DATA)
def export(request, kind: str, fmt: str):
    if kind not in ImportKind.values or fmt not in FORMATS:
        raise Http404
    queryset = export_queryset(user=request.user, kind=kind, params=request.GET)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type=kind,
        detail={
            "export": kind,
            "format": fmt,
            "filters": {k: v for k, v in request.GET.items() if v},
            "contacts_masked": not sees_contacts(request.user),
        },
        request=request,
    )
    return table_download(
        export_rows(kind=kind, queryset=queryset, mask=contact_masker(request.user)),
        fmt=fmt,
        filename=export_filename(kind=kind, fmt=fmt),
        title=kind,
    )
