"""The public feedback form: anyone can send a complaint, suggestion, question or praise,
without an account and without JavaScript. The sender is found among the customers by the
e-mail address or mobile number given (or recorded as a new customer), and a case opens
(source: feedback form), unassigned to a team unless the customer has one."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from manyi.customers.choices import Channel, ContactKind
from manyi.customers.models import ContactPoint, Customer
from manyi.customers.normalize import (
    is_valid_email,
    is_valid_phone,
    normalize_email,
    normalize_phone,
    phone_search_digits,
)

from .choices import CaseType, Source
from .forms import plain_newlines
from .models import Category
from .services import Opened, case_open


class FeedbackForm(forms.Form):
    case_type = forms.ChoiceField(
        label=_("What is it about?"), choices=CaseType.choices, widget=forms.RadioSelect,
        initial=CaseType.COMPLAINT,
    )  # fmt: skip
    category = forms.ModelChoiceField(
        label=_("Topic"), queryset=Category.objects.none(), required=False,
        empty_label=_("Something else"),
    )  # fmt: skip
    message = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.CharField(label=_("E-mail address"), max_length=254, required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=32, required=False)
    reply = forms.BooleanField(
        label=_("You may contact me about this message"), required=False, initial=True
    )
    # A field people do not see: a form that fills it is a robot's.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={
        "tabindex": "-1", "autocomplete": "off"}))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)

    def clean_message(self):
        return plain_newlines(self.cleaned_data["message"])

    def clean_email(self):
        value = normalize_email(self.cleaned_data["email"])
        if value and not is_valid_email(value):
            raise forms.ValidationError(_("Enter a valid e-mail address."))
        return value

    def clean_phone(self):
        value = normalize_phone(self.cleaned_data["phone"])
        if value and not is_valid_phone(value):
            raise forms.ValidationError(_("Enter a valid mobile number."))
        return value

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("email") or data.get("phone")):
            raise forms.ValidationError(
                _("Give an e-mail address or a mobile number, so that we can answer you.")
            )
        if data.get("website"):
            raise forms.ValidationError(_("The message could not be sent."))
        return data


def _customer(name: str, email: str, phone: str, reply: bool) -> Customer:
    """The customer with this e-mail address or mobile number, else a new one."""
    matches = Q()
    if email:
        matches |= Q(kind=ContactKind.EMAIL, value=email)
    if phone:
        matches |= Q(kind=ContactKind.PHONE, value__endswith=phone_search_digits(phone))
    contact = ContactPoint.objects.filter(matches).select_related("customer").order_by("pk")
    found = contact.first()
    if found is not None:
        return found.customer
    customer = Customer.objects.create(
        name=name, consent_email=reply and bool(email), consent_sms=reply and bool(phone)
    )
    for kind, value in ((ContactKind.EMAIL, email), (ContactKind.PHONE, phone)):
        if value:
            ContactPoint.objects.create(customer=customer, kind=kind, value=value, is_primary=True)
    return customer


@transaction.atomic
def feedback_submit(data: dict) -> Opened:
    customer = _customer(data["name"], data["email"], data["phone"], data["reply"])
    message = data["message"]
    return case_open(
        customer=customer,
        case_type=data["case_type"],
        subject=message.split("\n")[0][:120],
        description=message,
        channel=Channel.WEB,
        source=Source.FEEDBACK_FORM,
        category=data["category"],
    )
