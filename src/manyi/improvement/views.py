"""Improvement-action pages: the list, one action (its measurement, timeline, checks and
history), creating one from a finding, editing, moving it through PDCA and checking it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.core.paging import page_of, query_without_page
from manyi.surveys.models import Dimension

from . import services
from .charts import timeline_chart
from .choices import Stage, Verdict
from .forms import CheckForm, ImprovementForm, StageForm
from .measure import group_name, measure, timeline
from .models import Improvement

CONFLICT = gettext_lazy(
    "Someone else changed this action after you opened it, so your change was not saved. "
    "The page now shows the action as it is: make your change again."
)
# What a finding elsewhere (the items page, the complaint figures, a breakdown) may fill in;
# an evaluated item comes by its code (`item`).
PREFILL = ("title", "finding_kind", "finding", "metric", "category", "group")


@require_action(Action.VIEW_IMPROVEMENTS)
def action_list(request):
    actions = Improvement.objects.select_related("owner", "dimension", "category")
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        actions = actions.filter(stage=stage)
    return render(
        request,
        "improvement/action_list.html",
        {
            "active_nav": "improvement",
            "page": page_of(request, actions.prefetch_related("checks")),
            "query": query_without_page(request),
            "stages": Stage.choices,
            "stage": stage,
        },
    )


def _context(request, improvement: Improvement, **forms) -> dict:
    language = get_language() or "zh-hans"
    today = timezone.localdate()
    line = timeline(improvement, today)
    measurement = measure(improvement)
    return {
        "active_nav": "improvement",
        "action": improvement,
        "measurement": measurement,
        "verdict_label": Verdict(measurement.effect.verdict.value).label,
        "window_over": improvement.after_window_over(today),
        "timeline": line,
        "timeline_rows": list(
            zip(
                line.starts, line.treated, line.comparison or [None] * len(line.starts), strict=True
            )
        ),
        "chart": timeline_chart(improvement, line, language),
        "group": group_name(improvement, improvement.scope_value, language),
        "comparison_name": group_name(improvement, improvement.comparison_value, language),
        "checks": improvement.checks.select_related("checked_by"),
        "entries": improvement.entries.select_related("author"),
        "may_check": services.may_check(improvement, today),
        "stage_form": forms.get("stage_form") or StageForm(improvement=improvement),
        "check_form": CheckForm(initial={"version": improvement.version}),
        "unit": "%" if improvement.metric == "csat" else "",
    }


@require_action(Action.VIEW_IMPROVEMENTS)
def action_detail(request, pk: int):
    improvement = get_object_or_404(
        Improvement.objects.select_related("owner", "dimension", "category", "survey"), pk=pk
    )
    return render(request, "improvement/action_detail.html", _context(request, improvement))


def _conflict(request, pk: int):
    messages.error(request, CONFLICT)
    improvement = get_object_or_404(Improvement, pk=pk)
    context = _context(request, improvement)
    return render(request, "improvement/action_detail.html", context, status=409)


def _prefill(request) -> dict:
    initial = {k: v for k in PREFILL if (v := request.GET.get(k, "").strip()[:2000])}
    if code := request.GET.get("item", "").strip():
        dimension = Dimension.objects.filter(code=code).values_list("pk", flat=True)
        initial["dimension"] = dimension.first()
    return initial


@require_action(Action.MANAGE_IMPROVEMENTS)
def action_create(request):
    form = ImprovementForm(
        request.POST or None, user=request.user, initial=None if request.POST else _prefill(request)
    )
    if request.method == "POST" and form.is_valid():
        improvement = services.improvement_save(form, user=request.user)
        messages.success(request, _("Improvement action saved."))
        return redirect("improvement:detail", pk=improvement.pk)
    return render(
        request,
        "improvement/action_form.html",
        {"active_nav": "improvement", "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.MANAGE_IMPROVEMENTS)
def action_edit(request, pk: int):
    improvement = get_object_or_404(Improvement, pk=pk)
    form = ImprovementForm(request.POST or None, instance=improvement, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.improvement_save(
                form, user=request.user, version=form.cleaned_data["version"] or 0
            )
        except services.Changed:
            return _conflict(request, pk)
        messages.success(request, _("Improvement action saved."))
        return redirect("improvement:detail", pk=pk)
    return render(
        request,
        "improvement/action_form.html",
        {"active_nav": "improvement", "form": form, "action": improvement},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@require_action(Action.MANAGE_IMPROVEMENTS)
def action_stage(request, pk: int):
    improvement = get_object_or_404(Improvement, pk=pk)
    form = StageForm(request.POST, improvement=improvement)
    if not form.is_valid():
        context = _context(request, improvement, stage_form=form)
        return render(request, "improvement/action_detail.html", context, status=400)
    try:
        services.stage_move(
            improvement, form.cleaned_data["stage"], user=request.user,
            note=form.cleaned_data["note"], version=form.cleaned_data["version"],
        )  # fmt: skip
    except services.Changed:
        return _conflict(request, pk)
    except services.NotAllowed:
        messages.error(request, _("The action cannot move to that stage from where it is."))
        return redirect("improvement:detail", pk=pk)
    messages.success(request, _("Stage changed."))
    return redirect("improvement:detail", pk=pk)


@require_POST
@require_action(Action.MANAGE_IMPROVEMENTS)
def action_check(request, pk: int):
    improvement = get_object_or_404(Improvement, pk=pk)
    form = CheckForm(request.POST)
    if not form.is_valid():
        return redirect("improvement:detail", pk=pk)
    try:
        record = services.check(
            improvement, user=request.user, version=form.cleaned_data["version"]
        )
    except services.Changed:
        return _conflict(request, pk)
    except services.NotAllowed:
        messages.error(
            request,
            _("An action is checked once it has been done and its after window is over."),
        )
        return redirect("improvement:detail", pk=pk)
    messages.success(
        request,
        _("Checked: %(verdict)s. The action is now in “%(stage)s”.")
        % {"verdict": record.get_verdict_display(), "stage": record.get_stage_after_display()},
    )
    return redirect(reverse("improvement:detail", args=[pk]))
