"""Builder pages for the evaluated items (dimensions) that matrix questions rate."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.accounts.decorators import require_action

from ..forms.builder import DimensionForm
from ..models import Dimension


@require_action(Action.VIEW_RECORDS)
def dimension_list(request):
    return render(
        request,
        "surveys/builder/dimension_list.html",
        {
            "active_nav": "surveys",
            "dimensions": Dimension.objects.all(),
            "can_manage": access.can(request.user, Action.MANAGE_SURVEYS),
        },
    )


def _dimension_form_page(request, dimension: Dimension | None):
    form = DimensionForm(request.POST or None, instance=dimension)
    if request.method == "POST" and form.is_valid():
        dimension = form.save()
        messages.success(request, _("Evaluated item “%(name)s” saved.") % {"name": dimension})
        return redirect("surveys:dimensions")
    return render(
        request,
        "surveys/builder/dimension_form.html",
        {"active_nav": "surveys", "form": form, "dimension": dimension},
        status=400 if request.method == "POST" else 200,
    )


@require_action(Action.MANAGE_SURVEYS)
def dimension_create(request):
    return _dimension_form_page(request, None)


@require_action(Action.MANAGE_SURVEYS)
def dimension_edit(request, pk: int):
    return _dimension_form_page(request, get_object_or_404(Dimension, pk=pk))
