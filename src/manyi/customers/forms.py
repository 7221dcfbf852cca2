from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts import access
from manyi.accounts.choices import Role
from manyi.accounts.models import Team, User
from manyi.core.widgets import IsoDateTimeInput

from .models import ContactPoint, Customer, Interaction
from .normalize import contact_error, normalize_contact


def _restrict_team_field(field: forms.ModelChoiceField, user) -> None:
    """Agents may only file records under their own team; others choose any team."""
    scope = access.write_scope(user)
    if not scope.everything:
        field.queryset = Team.objects.filter(pk__in=scope.team_ids)
        field.required = True
        field.empty_label = None


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "external_id",
            "gender",
            "birth_year",
            "occupation",
            "region",
            "city",
            "segment",
            "tags",
            "team",
            "language",
            "consent_email",
            "consent_sms",
            "consent_phone",
            "consent_messaging",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _restrict_team_field(self.fields["team"], user)
        self.fields["birth_year"].widget.attrs.update({"min": 1900, "max": timezone.now().year})

    def clean_external_id(self):
        # An empty ID is "none"; stored as NULL so that the unique constraint ignores it.
        return self.cleaned_data["external_id"] or None

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        if year is not None and not 1900 <= year <= timezone.localdate().year:
            raise ValidationError(_("Enter a birth year between 1900 and this year."))
        return year


class ContactPointForm(forms.ModelForm):
    class Meta:
        model = ContactPoint
        fields = ["kind", "value", "label", "is_primary"]

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("kind"), cleaned.get("value")
        if kind and value:
            value = normalize_contact(kind, value)
            if error := contact_error(kind, value):
                self.add_error("value", error)
            cleaned["value"] = value
            self.instance.value = value
        return cleaned


ContactFormSet = inlineformset_factory(
    Customer, ContactPoint, form=ContactPointForm, extra=1, can_delete=True
)


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = [
            "kind",
            "channel",
            "occurred_at",
            "subject",
            "content",
            "outcome",
            "outcome_note",
            "closed_at",
            "team",
            "handled_by",
        ]
        widgets = {
            "occurred_at": IsoDateTimeInput(),
            "closed_at": IsoDateTimeInput(),
            "content": forms.Textarea(attrs={"rows": 4}),
            "outcome_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("occurred_at", "closed_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        _restrict_team_field(self.fields["team"], user)
        staff = User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.ANALYST, Role.ADMIN])
        scope = access.write_scope(user)
        if not scope.everything:
            staff = staff.filter(team_id__in=scope.team_ids)
        self.fields["handled_by"].queryset = staff.order_by("username")
        if self.instance.pk and hasattr(self.instance, "case"):
            # A complaint is worked in its case: the outcome follows the case (cases app).
            for name in ("outcome", "outcome_note", "closed_at", "kind"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Follows case %(number)s.") % {
                    "number": self.instance.case.number
                }

    def clean(self):
        cleaned = super().clean()
        occurred, closed = cleaned.get("occurred_at"), cleaned.get("closed_at")
        if occurred and closed and closed < occurred:
            self.add_error("closed_at", _("An interaction cannot close before it happened."))
        return cleaned
