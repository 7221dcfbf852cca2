"""Contact details in the customer form, for a user who may not see them: existing values are
shown masked and cannot be changed (the stored value is kept; the row can still be removed,
relabelled or made primary), and new ones can be added."""

from __future__ import annotations

from django import forms

from .masking import mask_contact
from .queries import contacts_shown


class MaskedInput(forms.TextInput):
    def __init__(self, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind

    def format_value(self, value):
        return mask_contact(self.kind, str(value or ""))


def contact_forms_mask(formset, *, user, customer, revealed=()) -> None:
    """Lock and mask the value of each saved contact `user` does not see in full."""
    if customer is None or customer.pk is None:
        return
    masked = {
        shown.contact.pk
        for shown in contacts_shown(user=user, customer=customer, revealed=revealed)
        if shown.masked
    }
    for form in formset.forms:
        contact = form.instance
        if contact.pk in masked:
            for name in ("kind", "value"):
                form.fields[name].disabled = True
            form.fields["value"].widget = MaskedInput(contact.kind)
