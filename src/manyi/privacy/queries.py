"""Reads of the privacy app: who sees which contact details, everything held about one
customer, and the audit log's search."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import django_filters
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.core.widgets import IsoDateInput
from manyi.customers.models import ContactPoint, Customer, Interaction, Purchase, PurchaseItem
from manyi.surveys.models import Answer, Invitation, Response

from .choices import AuditAction
from .masking import mask_contact, mask_text
from .models import AuditEvent

# A revealed contact detail stays shown to who revealed it for this long (in their session).
REVEAL_SECONDS = 600
_SESSION_KEY = "privacy_revealed"


def sees_contacts(user) -> bool:
    """Contact details unmasked everywhere (administrators)."""
    return access.can(user, Action.SEE_CONTACTS)


def may_reveal_contacts(user, customer: Customer) -> bool:
    """May reveal a contact detail of this customer: their role allows it and the customer is
    one they may edit (an agent: their team's)."""
    return access.can(user, Action.REVEAL_CONTACTS) and (
        Customer.objects.editable_by(user).filter(pk=customer.pk).exists()
    )


def shown_contact(user, kind: str, value: str) -> str:
    """A contact value as `user` sees it in lists and exports: masked unless they see all."""
    return value if sees_contacts(user) else mask_contact(kind, value)


def contact_masker(user) -> Callable[[str, str], str]:
    """`shown_contact` for one user, decided once (for exports of many rows)."""
    if sees_contacts(user):
        return lambda kind, value: value
    return mask_contact


def text_masker(user) -> Callable[[str], str]:
    """For free text (open answers, notes): the phone numbers and e-mail addresses in it
    masked, unless the user sees all contacts."""
    if sees_contacts(user):
        return lambda text: text
    return mask_text


def revealed_ids(session, *, now: float | None = None) -> set[int]:
    now = time.time() if now is None else now
    held = session.get(_SESSION_KEY) or {}
    return {int(pk) for pk, until in held.items() if until > now}


def remember_reveal(session, contact_id: int, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    held = {pk: until for pk, until in (session.get(_SESSION_KEY) or {}).items() if until > now}
    held[str(contact_id)] = now + REVEAL_SECONDS
    session[_SESSION_KEY] = held


@dataclass(frozen=True)
class ContactShown:
    contact: ContactPoint
    value: str
    masked: bool
    can_reveal: bool


def contacts_shown(*, user, customer: Customer, revealed: Iterable[int] = ()) -> list[ContactShown]:
    """The customer's contact points as the profile shows them to `user`."""
    contacts = list(customer.contacts.all())
    if sees_contacts(user):
        return [ContactShown(c, c.value, False, False) for c in contacts]
    revealed = set(revealed)
    can_reveal = bool(contacts) and may_reveal_contacts(user, customer)
    return [
        ContactShown(c, c.value, False, False)
        if c.pk in revealed and can_reveal
        else ContactShown(c, mask_contact(c.kind, c.value), True, can_reveal)
        for c in contacts
    ]


# Everything about one customer


def _row(obj: models.Model, **extra) -> dict:
    row = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    row.update(extra)
    return row


# Further sections (cases, ...) register here: name -> rows about the customer.
_sections: dict[str, Callable[[Customer], list[dict]]] = {}


def register_section(name: str, rows: Callable[[Customer], list[dict]]) -> None:
    _sections[name] = rows


def customer_data(customer: Customer) -> dict[str, list[dict]]:
    """Every row held about `customer`, table by table, with all its columns (and the names
    behind ids where they help: segment, team, product, question, evaluated item)."""
    purchases = list(Purchase.objects.filter(customer=customer).order_by("pk"))
    items = PurchaseItem.objects.filter(purchase__customer=customer).select_related("product")
    responses = list(Response.objects.filter(customer=customer).order_by("pk"))
    answers = Answer.objects.filter(response__customer=customer).select_related(
        "question", "dimension"
    )
    data = {
        "customer": [
            _row(
                customer,
                segment_name=customer.segment.name if customer.segment else "",
                team_name=customer.team.name if customer.team else "",
                tags=", ".join(sorted(t.name for t in customer.tags.all())),
            )
        ],
        "contact_points": [_row(c) for c in customer.contacts.order_by("pk")],
        "purchases": [_row(p) for p in purchases],
        "purchase_items": [
            _row(i, product_sku=i.product.sku, product_name=i.product.name)
            for i in items.order_by("purchase_id", "pk")
        ],
        "interactions": [
            _row(i) for i in Interaction.objects.filter(customer=customer).order_by("pk")
        ],
        "invitations": [
            _row(i) for i in Invitation.objects.filter(customer=customer).order_by("pk")
        ],
        "responses": [_row(r) for r in responses],
        "answers": [
            _row(
                a,
                question_code=a.question.code,
                dimension_code=a.dimension.code if a.dimension_id else "",
            )
            for a in answers.order_by("response_id", "pk")
        ],
    }
    for name, rows in _sections.items():
        data[name] = rows(customer)
    return data


def table_rows(rows: list[dict]) -> Iterable[list]:
    """A section as a table: header, then values (the union of the rows' keys, in order)."""
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    yield list(header)
    for row in rows:
        yield [row.get(key) for key in header]


# The audit log's search


def _actors():
    return get_user_model().objects.order_by("username")


class AuditFilterSet(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(label=_("Who"), queryset=_actors())
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    customer = django_filters.NumberFilter(
        label=_("Customer ID"), field_name="customer_id", min_value=1, max_value=2**63 - 1
    )
    since = django_filters.DateFilter(
        label=_("From"),
        method="filter_since",
        widget=IsoDateInput(),
    )
    until = django_filters.DateFilter(
        label=_("To"),
        method="filter_until",
        widget=IsoDateInput(),
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "customer", "since", "until"]

    def filter_since(self, queryset, name, value: dt.date):
        return queryset.filter(at__date__gte=value)

    def filter_until(self, queryset, name, value: dt.date):
        return queryset.filter(at__date__lte=value)


def audit_events():
    return AuditEvent.objects.select_related("customer").order_by("-at", "-pk")
