"""Inviting customers: choose and sample them (preview, then send), follow a sending, and
set up the triggers that invite after events."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db import models
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.paging import page_of
from manyi.customers.models import Customer

from ..choices import InvitationStatus
from ..forms.distribution import DistributionForm, TriggerForm
from ..models import Distribution, Invitation, Survey, Trigger
from ..sampling import sample_count
from ..selection import SelectionFilterSet
from ..services.distribution import (
    EXCLUSION_REASONS,
    Message,
    distribution_create,
    eligible_customers,
    invitation_preview,
    trigger_switch,
)
from ..services.waves import wave_for


@dataclass(frozen=True)
class Preview:
    selected: int
    eligible: int
    to_invite: int
    excluded: list[tuple[str, int]]  # (reason label, count)
    message: Message | None = None  # what the first eligible customer would receive


def _survey(request, pk: int) -> Survey:
    return get_object_or_404(Survey.objects.visible_to(request.user), pk=pk)


def _selection(request, data) -> SelectionFilterSet:
    customers = Customer.objects.visible_to(request.user)
    return SelectionFilterSet(data, queryset=customers)


def _describe_selection(request, filters: dict) -> list[tuple[str, str]]:
    """The stored selection as the user reads it: field labels, and names rather than ids."""
    form = _selection(request, filters).form
    form.is_valid()
    described = []
    for name, raw in filters.items():
        field = form.fields.get(name)
        if field is None:
            described.append((name, raw))
            continue
        value = form.cleaned_data.get(name) or raw
        if isinstance(field, forms.ChoiceField) and not isinstance(value, models.Model):
            value = dict(field.choices).get(raw, raw)
        described.append((str(field.label), str(value)))
    return described


def _preview(survey: Survey, filterset: SelectionFilterSet, form: DistributionForm) -> Preview:
    customers = filterset.qs
    data = form.cleaned_data
    wave = wave_for(survey, data.get("send_after"))
    result = eligible_customers(
        survey=survey, channel=data["channel"], customers=customers, wave=wave
    )
    to_invite = sample_count(
        len(result.eligible), size=data["sample_size"], percent=data["sample_percent"]
    )
    message = None
    if result.eligible:
        first = min(result.eligible)
        message = invitation_preview(
            survey=survey,
            channel=data["channel"],
            customer_id=first,
            address=result.eligible[first],
        )
    return Preview(
        selected=customers.count(),
        eligible=len(result.eligible),
        to_invite=to_invite,
        excluded=[(EXCLUSION_REASONS.get(k, k), n) for k, n in result.excluded.items()],
        message=message,
    )


@require_action(Action.MANAGE_SURVEYS)
def distribute(request, pk: int):
    survey = _survey(request, pk)
    is_open = survey.is_accepting_answers()
    data = request.POST if request.method == "POST" else None
    filterset = _selection(request, data)
    form = DistributionForm(data)
    preview = None
    status = 200
    if request.method == "POST":
        valid = filterset.is_valid() and form.is_valid()
        if not valid:
            status = 400
        elif request.POST.get("action") == "send":
            if not is_open:
                messages.error(request, _("Invitations can only be sent for an open survey."))
                status = 409
            else:
                distribution = distribution_create(
                    survey=survey,
                    user=request.user,
                    channel=form.cleaned_data["channel"],
                    customers=filterset.qs,
                    filters=filterset.params(request.POST),
                    seed=form.cleaned_data["seed"],
                    sample_size=form.cleaned_data["sample_size"],
                    sample_percent=form.cleaned_data["sample_percent"],
                    send_after=form.cleaned_data["send_after"],
                )
                invited = distribution.summary.get("invited", 0)
                messages.success(
                    request,
                    _("%(n)s invitations created; they are being sent.") % {"n": invited},
                )
                return redirect("surveys:distribution_detail", distribution.pk)
        else:
            preview = _preview(survey, filterset, form)
    return render(
        request,
        "surveys/distribution/distribute.html",
        {
            "active_nav": "surveys",
            "survey": survey,
            "survey_title": survey.title(get_language()),
            "is_open": is_open,
            "filter": filterset,
            "form": form,
            "preview": preview,
            "distributions": survey.distributions.all()[:20],
        },
        status=status,
    )


@require_action(Action.MANAGE_SURVEYS)
def distribution_detail(request, pk: int):
    distribution = get_object_or_404(
        Distribution.objects.filter(
            survey__in=Survey.objects.visible_to(request.user)
        ).select_related("survey", "created_by"),
        pk=pk,
    )
    invitations = (
        Invitation.objects.visible_to(request.user)
        .filter(distribution=distribution)
        .select_related("customer", "response")
        .order_by("pk")
    )
    counts = invitations.aggregate(
        pending=Count("pk", filter=Q(status=InvitationStatus.PENDING)),
        sending=Count("pk", filter=Q(status=InvitationStatus.SENDING)),
        sent=Count("pk", filter=Q(status=InvitationStatus.SENT)),
        failed=Count("pk", filter=Q(status=InvitationStatus.FAILED)),
        skipped=Count("pk", filter=Q(status=InvitationStatus.SKIPPED)),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        responded=Count("response"),
    )
    summary = distribution.summary
    return render(
        request,
        "surveys/distribution/distribution_detail.html",
        {
            "active_nav": "surveys",
            "distribution": distribution,
            "survey": distribution.survey,
            "survey_title": distribution.survey.title(get_language()),
            "summary": summary,
            "selection": _describe_selection(request, distribution.filters),
            "excluded": [(label, summary.get(key, 0)) for key, label in EXCLUSION_REASONS.items()],
            "counts": counts,
            "page": page_of(request, invitations),
            "query": "",
        },
    )


@require_action(Action.MANAGE_SURVEYS)
def triggers(request, pk: int):
    survey = _survey(request, pk)
    form = TriggerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.survey = survey
        form.save()
        messages.success(request, _("Trigger added."))
        return redirect("surveys:triggers", survey.pk)
    rows = survey.triggers.annotate(
        firings_count=Count("firings"),
        invited_count=Count("firings", filter=Q(firings__invitation__isnull=False)),
    ).order_by("created_at", "pk")
    return render(
        request,
        "surveys/distribution/triggers.html",
        {
            "active_nav": "surveys",
            "survey": survey,
            "survey_title": survey.title(get_language()),
            "is_open": survey.is_accepting_answers(),
            "triggers": rows,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.MANAGE_SURVEYS)
@require_POST
def trigger_toggle(request, pk: int):
    trigger = get_object_or_404(
        Trigger.objects.filter(survey__in=Survey.objects.visible_to(request.user)), pk=pk
    )
    trigger_switch(trigger=trigger, active=not trigger.is_active)
    if trigger.is_active:
        messages.success(request, _("Trigger switched on."))
    else:
        messages.success(request, _("Trigger switched off."))
    return redirect("surveys:triggers", trigger.survey_id)
