"""Competitor benchmark: read for everyone who sees records, written by survey managers."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.analytics.forms import PeriodForm
from manyi.analytics.queries import Filters

from .forms import BenchmarkScoreForm, CompetitorForm
from .models import BenchmarkScore
from .queries import benchmark_table


@require_action(Action.VIEW_RECORDS)
def benchmark_list(request):
    form = PeriodForm(request.GET or None)
    since, until = form.period(timezone.localdate())
    filters = Filters(since=since, until=until).for_user(request.user)
    can_manage = access.can(request.user, Action.MANAGE_SURVEYS)
    return render(
        request,
        "benchmarks/benchmark_list.html",
        {
            "active_nav": "benchmarks",
            "form": form,
            "since": since,
            "until": until,
            "table": benchmark_table(filters, language=get_language() or "en"),
            "scores": BenchmarkScore.objects.select_related("competitor", "dimension")
            if can_manage
            else None,
            "can_manage": can_manage,
            "min_n": settings.MANYI_MIN_SAMPLE,
        },
    )


def _form_page(request, form, title: str, message: str):
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, message)
        return redirect("benchmarks:list")
    return render(
        request,
        "benchmarks/form.html",
        {"active_nav": "benchmarks", "form": form, "title": title},
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.MANAGE_SURVEYS)
def competitor_create(request):
    form = CompetitorForm(request.POST or None)
    return _form_page(request, form, _("New competitor"), _("Competitor saved."))


@require_action(Action.MANAGE_SURVEYS)
def score_create(request):
    form = BenchmarkScoreForm(request.POST or None, language=get_language() or "en")
    return _form_page(request, form, _("New benchmark score"), _("Benchmark score saved."))


@require_action(Action.MANAGE_SURVEYS)
def score_edit(request, pk: int):
    score = get_object_or_404(BenchmarkScore, pk=pk)
    form = BenchmarkScoreForm(request.POST or None, instance=score, language=get_language() or "en")
    return _form_page(request, form, _("Edit benchmark score"), _("Benchmark score saved."))
