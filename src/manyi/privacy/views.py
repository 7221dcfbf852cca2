"""Pages of the privacy app: reveal one contact detail, export or erase one customer's data,
search the audit log. Each one is recorded in the audit log (but reading the log)."""

from __future__ import annotations

import io
import json
import zipfile

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.paging import page_of, query_without_page
from manyi.core.tabular import csv_chunks
from manyi.customers.models import ContactPoint, Customer

from . import queries, services
from .choices import AuditAction

EXPORT_FORMATS = ("json", "zip")


@require_POST
@require_action(Action.REVEAL_CONTACTS)
def contact_reveal(request, pk: int):
    """Show one contact detail unmasked to whoever may reveal it (for a while, in their
    session), and record that they did."""
    contact = get_object_or_404(
        ContactPoint.objects.filter(customer__in=Customer.objects.editable_by(request.user)),
        pk=pk,
    )
    if not queries.sees_contacts(request.user):
        services.contact_reveal(user=request.user, contact=contact, request=request)
        queries.remember_reveal(request.session, contact.pk)
    return redirect(f"{contact.customer.get_absolute_url()}#contact-{contact.pk}")


def _customer(pk: int) -> Customer:
    # Administrators only (MANAGE_PERSONAL_DATA): every customer is in their scope.
    return get_object_or_404(Customer.objects.select_related("segment", "team"), pk=pk)


@require_action(Action.MANAGE_PERSONAL_DATA)
def customer_export(request, pk: int, fmt: str):
    """Everything held about one customer: JSON, or a zip of CSV files (one per table)."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    customer = _customer(pk)
    data = queries.customer_data(customer)
    services.audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        customer=customer,
        obj=customer,
        detail={"export": "customer_data", "format": fmt},
        request=request,
    )
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        body = json.dumps(
            {"customer_id": customer.pk, "exported_at": timezone.now(), "tables": data},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            indent=2,
        ).encode()
        content_type = "application/json"
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, rows in data.items():
                csv_bytes = b"".join(csv_chunks(queries.table_rows(rows)))
                archive.writestr(f"{name}.csv", csv_bytes)
        body = buffer.getvalue()
        content_type = "application/zip"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"customer-{customer.pk}-{stamp}.{fmt}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_action(Action.MANAGE_PERSONAL_DATA)
def customer_erase(request, pk: int):
    """Confirm, then erase a customer's personal data on their request."""
    customer = _customer(pk)
    erased = hasattr(customer, "erasure")
    if request.method == "POST":
        if request.POST.get("confirm") != str(customer.pk):
            messages.error(request, _("Type the customer's ID to confirm the erasure."))
            return render(
                request,
                "privacy/customer_erase.html",
                {"active_nav": "customers", "customer": customer, "erased": erased},
                status=400,
            )
        services.customer_erase(customer=customer, actor=request.user, request=request)
        messages.success(request, _("The customer's personal data is erased."))
        return redirect(customer)
    return render(
        request,
        "privacy/customer_erase.html",
        {"active_nav": "customers", "customer": customer, "erased": erased},
    )


@require_action(Action.MANAGE_PERSONAL_DATA)
def audit_list(request):
    filterset = queries.AuditFilterSet(request.GET, queryset=queries.audit_events())
    return render(
        request,
        "privacy/audit_list.html",
        {
            "active_nav": "audit",
            "filter": filterset,
            "page": page_of(request, filterset.qs),
            "query": query_without_page(request),
        },
    )
