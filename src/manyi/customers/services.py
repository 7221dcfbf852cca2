"""Writes that change several rows; each one is atomic."""

from __future__ import annotations

from django.db import transaction

from .models import ContactPoint, Customer, Interaction
from .signals import interaction_saved


@transaction.atomic
def customer_save(*, form, contacts) -> Customer:
    """Save a customer with its contact points (a validated form and inline formset)."""
    customer = form.save()
    contacts.instance = customer
    contacts.save()
    chosen = [
        f.instance
        for f in contacts.forms
        if f.instance.pk and f.cleaned_data.get("is_primary") and "is_primary" in f.changed_data
    ]
    contact_points_settle_primary(customer=customer, preferred=chosen)
    return customer


def contact_points_settle_primary(*, customer: Customer, preferred=()) -> None:
    """Exactly one primary contact per kind: the one just marked, else the oldest primary,
    else the oldest contact of that kind."""
    by_kind: dict[str, list[ContactPoint]] = {}
    for contact in customer.contacts.order_by("pk"):
        by_kind.setdefault(contact.kind, []).append(contact)
    preferred_ids = {c.pk for c in preferred}
    for contacts in by_kind.values():
        winner = (
            next((c for c in contacts if c.pk in preferred_ids), None)
            or next((c for c in contacts if c.is_primary), None)
            or contacts[0]
        )
        for contact in contacts:
            should = contact.pk == winner.pk
            if contact.is_primary != should:
                contact.is_primary = should
                contact.save(update_fields=["is_primary"])


@transaction.atomic
def interaction_save(*, form, user, customer: Customer | None = None) -> Interaction:
    """Record an interaction; by default it is handled by whoever records it, for the
    customer's team."""
    interaction = form.save(commit=False)
    if customer is not None:
        interaction.customer = customer
    if interaction.team_id is None:
        interaction.team_id = interaction.customer.team_id
    created = interaction.pk is None
    if interaction.handled_by_id is None and created:
        interaction.handled_by = user
    interaction.save()
    interaction_saved.send(sender=Interaction, interaction=interaction, created=created, user=user)
    return interaction
