"""The groups an action can touch: a team (a region's service team, a store) or a value of
any dashboard cut (region, segment, channel, product, staff). Each knows its `Filters`
field, how its stored text parses, its values' names and the options a form offers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from manyi.analytics.cuts import CUTS


@dataclass(frozen=True)
class Scope:
    name: str
    label: object
    field: str  # of analytics.queries.Filters
    numeric: bool
    names: Callable  # (values, language) -> {value: name}
    form_field: Callable  # (user) -> a form field listing the values

    def parse(self, text: str):
        if self.numeric:
            return int(text) if text else 0
        return text

    def options(self, user) -> list[tuple[object, str]]:
        field = self.form_field(user)
        if isinstance(field, forms.ModelChoiceField):
            return [(obj.pk, str(obj)) for obj in field.queryset]
        return [(value, str(label)) for value, label in field.choices if value != ""]


def _team_names(ids, language):
    from manyi.accounts.models import Team

    return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))


def _team_field(user):
    from manyi.accounts.models import Team

    return forms.ModelChoiceField(queryset=Team.objects.order_by("name"), required=False)


SCOPES: dict[str, Scope] = {
    "team": Scope("team", _("Team"), "team_id", True, _team_names, _team_field),
    **{
        name: Scope(name, cut.label, cut.field, cut.numeric, cut.names, cut.form_field)
        for name, cut in CUTS.items()
    },
}
SCOPE_CHOICES = [("", _("Everyone")), *((name, s.label) for name, s in SCOPES.items())]
# A complaint rate is counted from customers (their team, region, segment) or purchases.
COMPLAINT_SCOPES = ("", "team", "segment", "region", "product")
