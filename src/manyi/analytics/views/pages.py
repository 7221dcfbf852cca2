"""Dashboard pages. Thin: the filter form gives a `Filters` cut scoped to the user, `figures`
computes every number, and the templates show them as tables (charts only repeat them)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.accounts.models import Team
from manyi.surveys.models import Survey

from .. import charts, figures
from ..cuts import CUTS
from ..forms import DashboardFilterForm
from ..queries import ResponseTotals, response_totals

BREAKDOWNS = {
    "segment": CUTS["segment"].plural,
    "team": gettext_lazy("Teams"),
    **{name: cut.plural for name, cut in CUTS.items() if name != "segment"},
    "survey": gettext_lazy("Surveys"),
}


def _page(request, template: str, tab: str, form: DashboardFilterForm, **context):
    return render(
        request,
        template,
        {
            "active_nav": "analytics",
            "tab": tab,
            "tabs": _tabs(),
            "form": form,
            "filters": form.filters(),
            "min_n": settings.MANYI_MIN_SAMPLE,
            "query": request.GET.urlencode(),
            **context,
        },
        status=400 if form.errors else 200,
    )


def _tabs():
    named = {"segment": "analytics:segments", "team": "analytics:teams"}

    def url(by):
        return reverse(named[by]) if by in named else reverse("analytics:breakdown", args=[by])

    return [
        ("overview", _("Overview"), reverse("analytics:overview")),
        ("items", _("Evaluated items"), reverse("analytics:items")),
        *((by, label, url(by)) for by, label in BREAKDOWNS.items()),
    ]


@require_action(Action.VIEW_RECORDS)
def overview(request):
    form = DashboardFilterForm(request.GET, user=request.user)
    filters = form.filters()
    change = figures.change(filters)
    trend = figures.trend(filters, form.granularity)
    totals = response_totals(filters).get(None, ResponseTotals())
    return _page(
        request,
        "analytics/overview.html",
        "overview",
        form,
        cards=figures.headline_cards(change),
        previous=figures.previous_period(filters),
        csi_sets=len(change.current.csi_detail.parts),
        trend=trend,
        trend_charts=charts.trend_charts(trend),
        totals=totals,
        valid_rate=totals.valid / totals.submitted * 100 if totals.submitted else None,
    )


@require_action(Action.VIEW_RECORDS)
def items(request):
    form = DashboardFilterForm(request.GET, user=request.user)
    analysis = figures.item_analysis(
        form.filters(), language=get_language() or "zh-hans", target=form.item_target
    )
    importance = figures.importance_of_items(analysis)
    total_weight = sum(r.weight for r in analysis.rows) or 1.0
    return _page(
        request,
        "analytics/items.html",
        "items",
        form,
        analysis=analysis,
        rows=[
            {
                "row": r,
                "weight_share": r.weight / total_weight * 100,
                "derived_pct": r.derived * 100 if r.derived is not None else None,
                "quadrant": charts.QUADRANT_LABELS.get(r.quadrant, ""),
            }
            for r in analysis.rows
        ],
        combined_sets=_combined_sets(analysis),
        has_gaps=any(r.gap is not None for r in analysis.rows),
        has_importance=any(r.importance.value is not None for r in analysis.rows),
        derived_from_data=any(r.derived is not None for r in analysis.rows),
        ranking_chart=charts.ranking_chart(analysis),
        gap_chart=charts.gap_chart(analysis),
        quadrant_chart=charts.quadrant_chart(analysis, importance),
    )


def _combined_sets(analysis) -> list[dict]:
    """The sets of item weights behind a CSI that combines several, for the note on the
    items page: each set's weights (in %), index, respondents and share of the CSI."""
    if not analysis.combined:
        return []
    names = {r.code: r.name for r in analysis.rows}
    total = sum(p.respondents for p in analysis.weight_sets) or 1
    return [
        {
            "weights": pgettext("list separator", ", ").join(
                f"{names.get(code, code)} {share * 100:.0f}%"
                for code, share in sorted(p.weights, key=lambda w: (-w[1], w[0]))
            ),
            "index": p.index,
            "respondents": p.respondents,
            "share": p.respondents / total * 100,
        }
        for p in analysis.weight_sets
    ]


def _names(by: str, keys) -> dict:
    """Readable names for breakdown keys (ids or texts); "—" for none."""
    ids = [k for k in keys if k]
    language = get_language() or "zh-hans"
    if by in CUTS:
        names = CUTS[by].names(ids, language)
    elif by == "team":
        names = dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif by == "survey":
        names = {s.pk: s.title(language) for s in Survey.objects.filter(pk__in=ids)}
    else:
        names = {k: k for k in ids}
    return {k: names.get(k, str(k)) if k else "—" for k in keys}


@require_action(Action.VIEW_RECORDS)
def breakdown(request, by: str):
    if by not in BREAKDOWNS:
        raise Http404
    form = DashboardFilterForm(request.GET, user=request.user)
    result = figures.breakdown(form.filters(), by)
    names = _names(by, [r.key for r in result])
    rows = [{"name": names[r.key], "row": r} for r in result]
    return _page(
        request,
        "analytics/breakdown.html",
        by,
        form,
        by=by,
        title=BREAKDOWNS[by],
        rows=rows,
        chart=charts.breakdown_chart(rows),
    )


def segments(request):
    return breakdown(request, "segment")


def teams(request):
    return breakdown(request, "team")
