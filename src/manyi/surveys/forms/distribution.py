"""Forms of the distribution side: whom to invite (distribution, triggers), which responses to
list or export, and the details of a staff-entered response. The questions themselves are
read by answering.parse_page, not by Django forms."""

from __future__ import annotations

import secrets
from decimal import Decimal

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from manyi.core.widgets import IsoDateInput, IsoDateTimeInput
from manyi.customers.models import Customer

from ..choices import STAFF_ENTRY_CHANNELS, InvitationChannel, ResponseChannel, ResponseStatus
from ..models import Response, Survey, Trigger

SEED_MAX = 2**53  # large enough to be unguessable in practice, small enough to type and store
_DATE = IsoDateInput()


def random_seed() -> int:
    return secrets.randbelow(1_000_000_000)


class DistributionForm(forms.Form):
    """How to invite the selected customers: channel, sample and seed, when to send."""

    channel = forms.ChoiceField(label=_("Channel"), choices=InvitationChannel.choices)
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        required=False,
        min_value=1,
        help_text=_("Invite at most this many, drawn at random."),
    )
    sample_percent = forms.DecimalField(
        label=_("Sample share (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Or invite this share of the eligible customers. Neither: all of them."),
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        min_value=0,
        max_value=SEED_MAX,
        help_text=_("The same selection and seed draw the same sample."),
    )
    send_after = forms.DateTimeField(
        label=_("Send after"),
        required=False,
        widget=IsoDateTimeInput(),
        help_text=_("Empty: send now."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("seed", random_seed())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sample_size") is not None and cleaned.get("sample_percent") is not None:
            raise forms.ValidationError(_("Give a sample size or a sample share, not both."))
        return cleaned


class TriggerForm(forms.ModelForm):
    delay_hours = forms.IntegerField(
        label=_("Delay (hours)"),
        min_value=0,
        max_value=24 * 365,
        initial=24,
        help_text=_("How long after the event the customer is invited."),
    )

    class Meta:
        model = Trigger
        fields = ["event", "delay_hours", "channel"]


class ResponseFilterSet(django_filters.FilterSet):
    """Filters of a survey's response list; the export reuses them, so a user exports what
    they see."""

    status = django_filters.ChoiceFilter(label=_("Status"), choices=ResponseStatus.choices)
    valid = django_filters.BooleanFilter(
        label=_("Valid"),
        field_name="is_valid",
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=ResponseChannel.choices)
    version = django_filters.ChoiceFilter(label=_("Version"), field_name="version", choices=[])
    submitted_after = django_filters.DateFilter(
        label=_("Submitted from"), field_name="submitted_at", lookup_expr="date__gte", widget=_DATE
    )
    submitted_before = django_filters.DateFilter(
        label=_("Submitted to"), field_name="submitted_at", lookup_expr="date__lte", widget=_DATE
    )

    class Meta:
        model = Response
        fields = ["status", "valid", "channel", "version", "submitted_after", "submitted_before"]

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        versions = survey.versions.order_by("number").values_list("pk", "number")
        self.filters["version"].extra["choices"] = [(pk, f"v{n}") for pk, n in versions]


class EntryForm(forms.Form):
    """Who answered and how, for a response entered by staff. The customer is given by
    external ID, or picked from a search (customer_pk); either way only among the customers
    the user may see."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in STAFF_ENTRY_CHANNELS]
    )
    language = forms.ChoiceField(label=_("Language of the answers"), choices=settings.LANGUAGES)
    customer = forms.CharField(
        label=_("Customer (external ID)"),
        required=False,
        max_length=64,
        help_text=_("Empty: the answers are not linked to a customer."),
    )
    customer_pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    consent_override_reason = forms.CharField(
        label=_("Reason for the phone interview without phone consent"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required when the customer has not agreed to be contacted by phone or has "
            "withdrawn that consent, for example: the customer called us and asked to answer."
        ),
    )

    def __init__(self, *args, user, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.survey = survey
        if survey.anonymous:
            del self.fields["customer"]
            del self.fields["customer_pk"]
            del self.fields["consent_override_reason"]

    def clean(self):
        cleaned = super().clean()
        cleaned["customer_obj"] = None
        if self.survey.anonymous:
            return cleaned
        visible = Customer.objects.visible_to(self.user)
        if cleaned.get("customer_pk"):
            found = visible.filter(pk=cleaned["customer_pk"]).first()
        elif external_id := (cleaned.get("customer") or "").strip():
            found = visible.filter(external_id__iexact=external_id).first()
        else:
            return cleaned
        if found is None:
            # The same message whether the customer does not exist or is another team's:
            # the form must not reveal customers the user may not see.
            self.add_error(
                "customer", _("No customer with this external ID among the customers you serve.")
            )
        cleaned["customer_obj"] = found
        self._check_phone_consent(cleaned, found)
        return cleaned

    def _check_phone_consent(self, cleaned: dict, customer: Customer | None) -> None:
        """A phone interview with a customer who gave no phone consent (or withdrew it) is
        recorded only with a reason, kept on the response."""
        reason = (cleaned.get("consent_override_reason") or "").strip()
        cleaned["consent_override_reason"] = ""
        if customer is None or cleaned.get("channel") != ResponseChannel.PHONE:
            return
        if customer.consent_phone:
            return
        if not reason:
            self.add_error(
                "consent_override_reason",
                _(
                    "This customer has not agreed to be contacted by phone, or has withdrawn "
                    "that consent. Give the reason for recording this phone interview."
                ),
            )
            return
        cleaned["consent_override_reason"] = reason
