"""Pages of behavioural indicators and of satisfaction vs. loyalty: parse the request into
`Filters`, call `behaviour` / `loyalty`, render. Everyone who sees records may read them; the
numbers are scoped to the customers the user may see."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action
from manyi.analytics.forms import PeriodForm
from manyi.customers.models import Customer, Segment

from . import behaviour, loyalty
from .queries import Filters


class BehaviourForm(PeriodForm):
    segment = forms.ModelChoiceField(
        label=_("Segment"), queryset=Segment.objects.all(), required=False
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    window = forms.IntegerField(
        label=_("Repurchase window (days)"),
        min_value=1,
        max_value=730,
        required=False,
        initial=behaviour.DEFAULT_WINDOW_DAYS,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = (
            Customer.objects.visible_to(user)
            .exclude(region="")
            .values_list("region", flat=True)
            .distinct()
            .order_by("region")
        )
        self.fields["region"].choices = [("", "—"), *((r, r) for r in regions)]

    def filters(self, user, today: dt.date) -> Filters:
        since, until = self.period(today)
        data = self.cleaned_data if self.is_valid() else {}
        segment = data.get("segment")
        return Filters(
            since=since,
            until=until,
            segment_id=segment.pk if segment else None,
            region=data.get("region") or "",
        ).for_user(user)

    def window_days(self) -> int:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("window") or behaviour.DEFAULT_WINDOW_DAYS


def _form(request) -> BehaviourForm:
    return BehaviourForm(request.GET or None, user=request.user)


@require_action(Action.VIEW_RECORDS)
def indicators(request):
    form = _form(request)
    filters = form.filters(request.user, timezone.localdate())
    window = form.window_days()
    kwargs = {"user": request.user, "window_days": window}
    return render(
        request,
        "analytics/behaviour/indicators.html",
        {
            "active_nav": "behaviour",
            "form": form,
            "filters": filters,
            "window": window,
            "overall": behaviour.indicators(filters, **kwargs),
            "by_segment": behaviour.indicators_by(filters, "segment", **kwargs),
            "by_region": behaviour.indicators_by(filters, "region", **kwargs),
            "by_month": behaviour.indicators_by_month(filters, **kwargs),
            "min_n": settings.MANYI_MIN_SAMPLE,
        },
    )


@require_action(Action.VIEW_RECORDS)
def satisfaction_loyalty(request):
    form = _form(request)
    filters = form.filters(request.user, timezone.localdate())
    return render(
        request,
        "analytics/behaviour/loyalty.html",
        {
            "active_nav": "behaviour",
            "form": form,
            "filters": filters,
            "loyalty": loyalty.satisfaction_vs_loyalty(filters),
            "sample": loyalty.SAMPLE,
            "min_n": settings.MANYI_MIN_SAMPLE,
        },
    )
