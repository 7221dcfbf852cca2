"""Forms of the report pages: the period, the recommendations and a schedule."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts.models import User
from manyi.core.widgets import PERIOD_BOUNDS, IsoDateInput
from manyi.surveys.models import Survey

from ..models import ScheduledReport
from ..periods import default_period

MAX_DAYS = 3 * 366


class ReportPeriodForm(forms.Form):
    """From and until (both included); empty means the default period of every dashboard
    (the current month so far and the eleven months before it)."""

    since = forms.DateField(
        label=_("From"), required=False, widget=IsoDateInput, validators=PERIOD_BOUNDS
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=IsoDateInput, validators=PERIOD_BOUNDS
    )

    def clean(self):
        data = super().clean()
        until = data.get("until") or timezone.localdate()
        since = data.get("since") or default_period(until)[0]
        if since > until:
            raise forms.ValidationError(_("The period must start before it ends."))
        if (until - since).days > MAX_DAYS:
            raise forms.ValidationError(_("A report covers at most three years."))
        data["since"], data["until"] = since, until
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The asked period when valid, else the default one (the form shows the error)."""
        if self.is_valid():
            return self.cleaned_data["since"], self.cleaned_data["until"]
        return default_period(timezone.localdate())


class ReportNoteForm(forms.Form):
    recommendations = forms.CharField(
        label=_("Recommendations"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ScheduledReportForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = ScheduledReport
        fields = ["name", "survey", "frequency", "format", "language", "recipients", "is_active"]
        widgets = {"recipients": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = (
            Survey.objects.visible_to(user).exclude(status="draft").order_by("-created_at")
        )
        self.fields["recipients"].queryset = (
            User.objects.filter(is_active=True).exclude(email="").order_by("username")
        )
        self.fields["recipients"].help_text = _(
            "Each recipient gets the report as their role lets them see it."
        )
