"""Builder forms for surveys and evaluated items; the question form is in `questions.py`."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.core.widgets import IsoDateTimeInput

from ..blueprints import BLUEPRINTS
from ..models import Dimension, Survey

_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def blueprint_cards() -> list[dict]:
    """The ready templates as the create page lists them."""
    return [
        {
            "key": key,
            "name": blueprint.name,
            "description": blueprint.description,
            "questions": len(blueprint.questions),
            "pages": len({spec.get("page", 1) for spec in blueprint.questions}),
        }
        for key, blueprint in BLUEPRINTS.items()
    ]


# ----- surveys ---------------------------------------------------------------------------


class SurveyCreateForm(forms.Form):
    blueprint = forms.ChoiceField(label=_("Start from"), required=False)
    title_zh = forms.CharField(label=_("title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("title (English)"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blueprint"].choices = [("", _("A blank survey"))] + [
            (key, blueprint.name) for key, blueprint in BLUEPRINTS.items()
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("blueprint") and not (cleaned.get("title_zh") or "").strip():
            self.add_error("title_zh", _("A blank survey needs a Chinese title."))
        return cleaned


class SurveySettingsForm(forms.ModelForm):
    validity_percent = forms.DecimalField(
        label=_("Valid response: share of shown questions answered (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        initial=Decimal("66.67"),
    )

    class Meta:
        model = Survey
        fields = [
            "title_zh",
            "title_en",
            "intro_zh",
            "intro_en",
            "anonymous",
            "public_link_enabled",
            "closes_at",
            "reminder_after_days",
            "wave_schedule",
        ]
        widgets = {
            "intro_zh": forms.Textarea(attrs={"rows": 3}),
            "intro_en": forms.Textarea(attrs={"rows": 3}),
            "closes_at": IsoDateTimeInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closes_at"].input_formats = [_DATETIME_LOCAL, "%Y-%m-%d %H:%M"]
        self.fields["wave_schedule"].required = False
        share = self.instance.validity_min_share
        self.fields["validity_percent"].initial = (share * 100).quantize(Decimal("0.01"))
        if self.instance.pk and self.instance.responses.exists():
            # Answers were collected under one promise; it must not change afterwards.
            self.fields["anonymous"].disabled = True
            self.fields["anonymous"].help_text = _(
                "Fixed once answers have been collected: they were given under this promise."
            )

    def clean_wave_schedule(self):
        # Not sent (an older form, a script): the survey keeps its schedule.
        return self.cleaned_data.get("wave_schedule") or self.instance.wave_schedule

    def clean_closes_at(self):
        closes_at = self.cleaned_data["closes_at"]
        if closes_at and "closes_at" in self.changed_data and closes_at <= timezone.now():
            raise ValidationError(_("Choose a closing time in the future."))
        return closes_at

    def save(self, commit=True):
        percent = self.cleaned_data["validity_percent"]
        self.instance.validity_min_share = (percent / 100).quantize(Decimal("0.0001"))
        return super().save(commit=commit)


# ----- evaluated items -------------------------------------------------------------------


class DimensionForm(forms.ModelForm):
    class Meta:
        model = Dimension
        fields = [
            "code",
            "name_zh",
            "name_en",
            "description",
            "default_weight",
            "position",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Answers, results and templates refer to an item by its code.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code of an existing item cannot change.")
