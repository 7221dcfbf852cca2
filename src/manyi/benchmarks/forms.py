import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.analytics.periods import default_period
from manyi.core.widgets import PERIOD_BOUNDS, IsoDateInput
from manyi.surveys.models import Dimension

from .models import BenchmarkScore, Competitor


class CompetitorForm(forms.ModelForm):
    class Meta:
        model = Competitor
        fields = ["name", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class BenchmarkScoreForm(forms.ModelForm):
    class Meta:
        model = BenchmarkScore
        fields = ["competitor", "dimension", "period_start", "period_end", "satisfaction", "n"]
        fields += ["source"]
        widgets = {
            "period_start": IsoDateInput(),
            "period_end": IsoDateInput(),
        }

    def __init__(self, *args, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        dimension = self.fields["dimension"]
        current = self.instance.dimension_id if self.instance.pk else None
        dimension.queryset = Dimension.objects.filter(Q(is_active=True) | Q(pk=current))
        dimension.label_from_instance = lambda d: d.name(language)


class PeriodForm(forms.Form):
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
