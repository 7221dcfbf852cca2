"""The dashboard filter form: turns the query string into a `Filters` cut, scoped to the user.

Every dashboard shares it, so a cut chosen on one page carries over to the others."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from manyi.accounts import access
from manyi.accounts.models import Team
from manyi.core.widgets import PERIOD_BOUNDS, IsoDateInput

from .cuts import CUTS
from .periods import default_period
from .queries import PERIODS, Filters, surveys_in_view

PERIOD_LABELS = {
    "week": _("Week"),
    "month": _("Month"),
    "quarter": _("Quarter"),
    "year": _("Year"),
}
DEFAULT_TARGET = 80.0
FIELD_ORDER = ["survey", "since", "until", "period", "team", *CUTS, "target"]


class SurveyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title(get_language() or "zh-hans")


class DashboardFilterForm(forms.Form):
    survey = SurveyChoiceField(queryset=None, required=False, label=_("Survey"))
    since = forms.DateField(
        required=False,
        label=_("From"),
        widget=IsoDateInput(),
        validators=PERIOD_BOUNDS,
    )
    until = forms.DateField(
        required=False,
        label=_("To"),
        widget=IsoDateInput(),
        validators=PERIOD_BOUNDS,
    )
    period = forms.ChoiceField(
        choices=[(p, PERIOD_LABELS[p]) for p in PERIODS],
        required=False,
        label=_("Trend by"),
    )
    team = forms.ModelChoiceField(queryset=None, required=False, label=_("Team"))
    # ... and one field per cut of `cuts.CUTS`, added in __init__.
    target = forms.FloatField(required=False, min_value=0, max_value=100, label=_("Item target %"))

    def __init__(self, data=None, *, user, today: dt.date | None = None):
        self.user = user
        self.today = today or timezone.localdate()
        since, until = default_period(self.today)
        # Always bound, with the defaults filled in, so that the inputs show the cut in use.
        data = data.copy() if data is not None else QueryDict(mutable=True)
        for name, default in (("since", since), ("until", until), ("period", "month")):
            if not data.get(name):
                data[name] = str(default)
        if not data.get("target"):
            data["target"] = f"{DEFAULT_TARGET:g}"
        super().__init__(data)
        self.fields["survey"].queryset = surveys_in_view(user)
        scope = access.read_scope(user)
        teams = Team.objects.order_by("name")
        self.fields["team"].queryset = (
            teams if scope.everything else teams.filter(pk__in=scope.team_ids)
        )
        for name, cut in CUTS.items():
            self.fields[name] = cut.form_field(user)
        self.order_fields(FIELD_ORDER)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return cleaned

    def _value(self, name, default=None):
        """A field's cleaned value; a bad or missing one falls back to the default, so that
        one mistyped field still leaves a usable dashboard (its error is shown)."""
        self.is_valid()
        value = self.cleaned_data.get(name) if name not in self.errors else None
        return default if value in (None, "") else value

    @property
    def granularity(self) -> str:
        return self._value("period", "month")

    @property
    def item_target(self) -> float:
        return float(self._value("target", DEFAULT_TARGET))

    def filters(self) -> Filters:
        """The cut asked for, narrowed to the user's access scope."""
        default_since, default_until = default_period(self.today)
        since = self._value("since", default_since)
        until = self._value("until", default_until)
        if "until" in self.errors:
            since, until = default_since, default_until
        survey, team = self._value("survey"), self._value("team")
        cuts = {cut.field: cut.form_value(self._value(name)) for name, cut in CUTS.items()}
        return Filters(
            survey_ids=(survey.pk,) if survey else (),
            since=since,
            until=until,
            team_id=team.pk if team else None,
            **cuts,
        ).for_user(self.user)


class PeriodForm(forms.Form):
    """A period of months (the last twelve by default), for the benchmark and behaviour
    pages."""

    since = forms.DateField(
        label=_("From"), required=False, widget=IsoDateInput(), validators=PERIOD_BOUNDS
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=IsoDateInput(), validators=PERIOD_BOUNDS
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The inputs show the period in use, also before the user picks one.
        self.fields["since"].initial, self.fields["until"].initial = default_period(
            timezone.localdate()
        )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise forms.ValidationError(_("The period cannot end before it starts."))
        return data

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen period, the default one for what is missing or invalid."""
        since, until = default_period(today)
        if self.is_valid():
            until = self.cleaned_data.get("until") or until
            since = self.cleaned_data.get("since") or default_period(until)[0]
        return since, until
