"""Reads that span several rows or models, each scoped by the user's access."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from .choices import InteractionKind, Outcome
from .models import Customer, Interaction, Purchase, PurchaseItem
from .timeline import TimelineEntry
from .timeline import sources as timeline_sources


@dataclass(frozen=True)
class OverviewFigures:
    days: int
    customers: int
    recent_purchases: int
    recent_complaints: int
    open_interactions: int


def overview_figures(*, user, days: int = 30) -> OverviewFigures:
    since = timezone.now() - dt.timedelta(days=days)
    interactions = Interaction.objects.visible_to(user)
    return OverviewFigures(
        days=days,
        customers=Customer.objects.visible_to(user).count(),
        recent_purchases=Purchase.objects.visible_to(user).filter(purchased_at__gte=since).count(),
        recent_complaints=interactions.filter(
            kind=InteractionKind.COMPLAINT, occurred_at__gte=since
        ).count(),
        open_interactions=interactions.filter(
            outcome__in=[Outcome.OPEN, Outcome.ESCALATED]
        ).count(),
    )


def customer_list(*, user):
    return Customer.objects.visible_to(user).select_related("segment", "team")


def interaction_list(*, user):
    return Interaction.objects.visible_to(user).select_related("customer", "team", "handled_by")


def customer_purchases(*, customer: Customer, user):
    items = PurchaseItem.objects.select_related("product")
    return (
        Purchase.objects.visible_to(user)
        .filter(customer=customer)
        .prefetch_related(Prefetch("items", queryset=items))
    )


def customer_timeline(*, customer: Customer, user, limit: int = 200) -> list[TimelineEntry]:
    """Interactions, purchases and what other domains register (customers.timeline), newest
    first, as far as the user may see them."""
    interactions = interaction_list(user=user).filter(customer=customer)[:limit]
    purchases = customer_purchases(customer=customer, user=user)[:limit]
    entries = [
        TimelineEntry(at=i.occurred_at, kind=i.kind, title=str(i), obj=i) for i in interactions
    ]
    entries += [
        TimelineEntry(at=p.purchased_at, kind="purchase", title=str(p), obj=p) for p in purchases
    ]
    for source in timeline_sources():
        entries += source(customer, user, limit)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
