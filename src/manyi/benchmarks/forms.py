from django import forms
from django.db.models import Q

from manyi.core.widgets import IsoDateInput
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
