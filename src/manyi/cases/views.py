"""Case pages: the queue, one case with its thread, logging a case for a customer, the
attachments (private files, sent by a view that checked who asks) and notifications."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.paging import page_of, query_without_page
from manyi.customers.models import Customer

from . import figures, messaging, services, sla
from .choices import OPEN_STATUSES, EntryKind
from .filters import CaseFilterSet
from .forms import (
    AssignForm,
    CaseForm,
    EntryForm,
    FiguresPeriodForm,
    StatusForm,
    TemplateChoiceForm,
)
from .models import Case, CaseAttachment, Notification

CONFLICT = gettext_lazy(
    "Someone else changed this case after you opened it, so your change was not saved. "
    "The page now shows the case as it is: make your change again."
)


def _visible(user):
    return Case.objects.visible_to(user).select_related(
        "customer", "team", "owner", "category", "policy"
    )


@require_action(Action.VIEW_RECORDS)
def case_list(request):
    filterset = CaseFilterSet(request.GET, queryset=_visible(request.user), user=request.user)
    if filterset.history:
        cases = filterset.qs.order_by("-opened_at", "-pk")
    else:  # open cases: the most urgent first
        cases = filterset.qs.order_by(F("resolution_due").asc(nulls_last=True), "-opened_at", "-pk")
    now = timezone.now()
    # Over the open cases only (through the queue's index), not the whole history.
    summary = (
        Case.objects.visible_to(request.user)
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            open=Count("pk"),
            mine=Count("pk", filter=Q(owner=request.user)),
            late=Count("pk", filter=Q(resolution_due__lte=now) | Q(response_due__lte=now)),
        )
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "active_nav": "cases",
            "filter": filterset,
            "page": page_of(request, cases),
            "query": query_without_page(request),
            "summary": summary,
            "now": now,
        },
    )


def _entry_form(request, case: Case) -> tuple[EntryForm, TemplateChoiceForm]:
    """The reply form, filled from a message template when one was chosen (?template=)."""
    templates = messaging.templates_for(case)
    chooser = TemplateChoiceForm(
        request.GET if "template" in request.GET else None, templates=templates
    )
    initial = {}
    if chooser.is_bound and chooser.is_valid():
        subject, body = messaging.filled(chooser.cleaned_data["template"], case, request.user)
        initial = {"kind": EntryKind.REPLY, "subject": subject, "body": body}
    return EntryForm(case=case, initial=initial), chooser


def _detail_context(request, case: Case, **forms) -> dict:
    editable = Case.objects.editable_by(request.user).filter(pk=case.pk).exists()
    entry_form, chooser = _entry_form(request, case)
    return {
        "active_nav": "cases",
        "case": case,
        "entries": case.entries.select_related("author", "message").prefetch_related("attachments"),
        "sla": sla.state(case),
        "can_edit": editable,
        "template_form": chooser,
        "entry_form": forms.get("entry_form") or entry_form,
        "status_form": forms.get("status_form") or StatusForm(case=case),
        "assign_form": forms.get("assign_form") or AssignForm(case=case),
        "tags": case.tags.all(),
    }


@require_action(Action.VIEW_RECORDS)
def case_detail(request, pk: int):
    case = get_object_or_404(_visible(request.user), pk=pk)
    Notification.objects.filter(user=request.user, case=case, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(request, "cases/case_detail.html", _detail_context(request, case))


def _editable(request, pk: int) -> Case:
    return get_object_or_404(
        Case.objects.editable_by(request.user).select_related("customer", "team", "policy"),
        pk=pk,
    )


def _conflict(request, pk: int):
    messages.error(request, CONFLICT)
    case = get_object_or_404(_visible(request.user), pk=pk)
    return render(request, "cases/case_detail.html", _detail_context(request, case), status=409)


@require_POST
@require_action(Action.EDIT_RECORDS)
def case_entry(request, pk: int):
    case = _editable(request, pk)
    form = EntryForm(request.POST, request.FILES, case=case)
    if not form.is_valid():
        context = _detail_context(request, case, entry_form=form)
        return render(request, "cases/case_detail.html", context, status=400)
    with transaction.atomic():
        entry = services.case_note(
            case,
            user=request.user,
            body=form.cleaned_data["body"],
            kind=form.cleaned_data["kind"],
            reply_channel=form.cleaned_data["reply_channel"],
            files=form.cleaned_data["files"],
        )
        queued = messaging.queue(entry, subject=form.cleaned_data["subject"])
    if queued is not None:
        messages.success(
            request,
            _("Added to the case; the %(channel)s to %(address)s goes out within a minute.")
            % {"channel": queued.get_channel_display(), "address": queued.address},
        )
    else:
        messages.success(request, _("Added to the case."))
    return redirect(case)


@require_POST
@require_action(Action.EDIT_RECORDS)
def case_status(request, pk: int):
    case = _editable(request, pk)
    form = StatusForm(request.POST, case=case)
    if not form.is_valid():
        context = _detail_context(request, case, status_form=form)
        return render(request, "cases/case_detail.html", context, status=400)
    data = form.cleaned_data
    try:
        services.case_status(
            case,
            version=data["version"],
            user=request.user,
            status=data["status"],
            note=data["note"],
            root_cause=data["root_cause"],
            resolution=data["resolution"],
        )
    except services.CaseChanged:
        return _conflict(request, pk)
    except services.NotAllowed as error:
        messages.error(request, str(error))
        return redirect(case)
    messages.success(request, _("Status changed."))
    return redirect(case)


@require_POST
@require_action(Action.EDIT_RECORDS)
def case_assign(request, pk: int):
    case = _editable(request, pk)
    form = AssignForm(request.POST, case=case)
    if not form.is_valid():
        context = _detail_context(request, case, assign_form=form)
        return render(request, "cases/case_detail.html", context, status=400)
    try:
        services.case_assign(
            case, version=form.cleaned_data["version"], user=request.user,
            owner=form.cleaned_data["owner"],
        )  # fmt: skip
    except services.CaseChanged:
        return _conflict(request, pk)
    messages.success(request, _("Owner changed."))
    return redirect(case)


@require_action(Action.EDIT_RECORDS)
def case_edit(request, pk: int):
    case = _editable(request, pk)
    form = CaseForm(request.POST or None, instance=Case.objects.get(pk=case.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.EDITABLE}
        try:
            services.case_edit(
                case,
                version=form.cleaned_data["version"] or 0,
                user=request.user,
                changes=changes,
                tags=form.tags(),
            )
        except services.CaseChanged:
            return _conflict(request, pk)
        messages.success(request, _("Case saved."))
        return redirect(case)
    return render(
        request,
        "cases/case_form.html",
        {"active_nav": "cases", "form": form, "case": case, "customer": case.customer},
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.EDIT_RECORDS)
def case_create(request, pk: int):
    """A case logged by staff for the customer `pk` (a call, visit or message)."""
    customer = get_object_or_404(Customer.objects.editable_by(request.user), pk=pk)
    form = CaseForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        opened = services.case_open(
            customer=customer,
            case_type=data["case_type"],
            subject=data["subject"],
            description=data["description"],
            severity=data["severity"],
            channel=data["channel"],
            category=data["category"],
            purchase=data["purchase"],
            team=data["team"] or customer.team,
            owner=data["owner"],
            user=request.user,
            tags=form.tags(),
        )
        if opened.joined:
            messages.info(
                request,
                _("The customer already has an open case about this: it was added there."),
            )
        else:
            messages.success(request, _("Case %(number)s opened.") % {"number": opened.case.number})
        return redirect(opened.case)
    return render(
        request,
        "cases/case_form.html",
        {"active_nav": "cases", "form": form, "customer": customer},
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.VIEW_RECORDS)
def attachment(request, pk: int):
    item = get_object_or_404(CaseAttachment.objects.select_related("entry"), pk=pk)
    if not _visible(request.user).filter(pk=item.entry.case_id).exists():
        raise Http404
    # Sent as a download with the type checked at upload, never rendered in the site's origin.
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.name, content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_action(Action.EDIT_RECORDS)  # those who work cases; viewers are told nothing
def notification_list(request):
    notes = (
        Notification.objects.filter(user=request.user)
        .select_related("case", "case__customer")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "cases/notification_list.html",
        {"active_nav": "cases", "page": page_of(request, notes)},
    )


@require_POST
@require_action(Action.EDIT_RECORDS)
def notifications_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("cases:notifications")


@require_action(Action.VIEW_RECORDS)
def case_figures(request):
    """How complaints are handled, for a period (the last 90 days by default, today in)."""
    form = FiguresPeriodForm(request.GET or None)
    since, until = form.period()
    return render(
        request,
        "cases/case_figures.html",
        {
            "active_nav": "cases",
            "form": form,
            "figures": figures.case_figures(
                request.user, since, until, request.LANGUAGE_CODE or "zh-hans"
            ),
            "loyalty": figures.recovery_loyalty(request.user, since, until),
        },
    )
