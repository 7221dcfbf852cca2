"""Bulk follow-up: choose customers (the customer list's filters), a message template and a
channel; preview who gets it and the message the first one would receive; send; follow the
sending."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.paging import page_of
from manyi.customers.models import Customer
from manyi.surveys.selection import SelectionFilterSet
from manyi.surveys.services.distribution import EXCLUSION_REASONS

from . import followups
from .choices import MessageStatus
from .forms import FollowUpForm
from .models import CaseMessage, FollowUp

# A follow-up is sent to whom it may concern, not once per survey.
REASONS = ("no_consent", "no_contact", "contacted_recently")


def _selection(request, data) -> SelectionFilterSet:
    return SelectionFilterSet(data, queryset=Customer.objects.editable_by(request.user))


def _visible(user):
    """Every follow-up for those who may edit every customer; an agent's own, otherwise."""
    if access.write_scope(user).everything:
        return FollowUp.objects.all()
    return FollowUp.objects.filter(created_by=user)


@require_action(Action.EDIT_RECORDS)
def followup_new(request):
    data = request.POST if request.method == "POST" else (request.GET or None)
    filterset = _selection(request, data)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    preview = status = None
    if request.method == "POST":
        if not (filterset.is_valid() and form.is_valid()):
            status = 400
        else:
            template, channel = form.cleaned_data["template"], form.cleaned_data["channel"]
            if request.POST.get("action") == "send":
                try:
                    followup = followups.followup_create(
                        template=template, channel=channel, customers=filterset.qs,
                        user=request.user, filters=filterset.params(request.POST),
                    )  # fmt: skip
                except followups.NobodyToSend:
                    messages.error(request, _("Nobody in this selection can receive it."))
                    status = 409
                else:
                    messages.success(
                        request,
                        _("%(n)s messages written; they are being sent.")
                        % {"n": followup.summary.get("eligible", 0)},
                    )
                    return redirect(followup)
            selection = followups.select(filterset.qs, channel)
            preview = {
                "selected": selection.selected,
                "eligible": len(selection.eligible),
                "excluded": [(EXCLUSION_REASONS[k], selection.excluded[k]) for k in REASONS],
                "message": followups.preview(template, selection, request.user),
            }
    return render(
        request,
        "cases/followup_new.html",
        {
            "active_nav": "customers",
            "filter": filterset,
            "form": form,
            "preview": preview,
            "earlier": _visible(request.user).select_related("template", "created_by")[:20],
        },
        status=status or 200,
    )


@require_action(Action.EDIT_RECORDS)
def followup_detail(request, pk: int):
    followup = get_object_or_404(
        _visible(request.user).select_related("template", "created_by"), pk=pk
    )
    counts = followup.messages.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=MessageStatus.SENT)),
        failed=Count("pk", filter=Q(status=MessageStatus.FAILED)),
        waiting=Count("pk", filter=Q(status__in=[MessageStatus.PENDING, MessageStatus.SENDING])),
    )
    rows = CaseMessage.objects.filter(followup=followup).select_related("customer")
    return render(
        request,
        "cases/followup_detail.html",
        {
            "active_nav": "customers",
            "followup": followup,
            "counts": counts,
            "done": counts["total"] and not counts["waiting"],
            "page": page_of(request, rows.order_by("pk")),
            "excluded": [(EXCLUSION_REASONS[k], followup.summary.get(k, 0)) for k in REASONS],
        },
    )
