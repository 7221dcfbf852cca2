"""Export customers, purchases and interactions to CSV or Excel.

The header row is the importer's own, and values are written the way the importer reads them,
so an exported file can be edited and imported again. Rows are read in chunks with their
related rows prefetched, and written as they come: memory stays flat however many rows there
are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.utils import timezone

from .choices import ImportKind
from .filters import CustomerFilterSet, InteractionFilterSet
from .importing.columns import export_headers
from .models import ContactPoint, Customer, Interaction, Purchase, PurchaseItem

CHUNK_SIZE = 2000
Masker = Callable[[str, str], str]
_CONTACT_ORDER = ("phone", "email", "address", "messaging")


def export_queryset(*, user, kind: str, params: QueryDict) -> QuerySet:
    """The rows `user` may see, narrowed by the same filters as the list they came from."""
    if kind == ImportKind.CUSTOMERS:
        customers = Customer.objects.visible_to(user)
        return CustomerFilterSet(params, queryset=customers).qs
    if kind == ImportKind.PURCHASES:
        purchases = Purchase.objects.visible_to(user)
        filterset = CustomerFilterSet(params, queryset=Customer.objects.visible_to(user))
        if any(params.get(name) for name in filterset.filters):
            purchases = purchases.filter(customer__in=filterset.qs.values("pk"))
        return purchases
    if kind == ImportKind.INTERACTIONS:
        interactions = Interaction.objects.visible_to(user)
        return InteractionFilterSet(params, queryset=interactions).qs
    raise ValueError(kind)


def export_rows(*, kind: str, queryset: QuerySet, mask: Masker | None = None) -> Iterator[list]:
    """The header row, then one row per record (per order line for purchases). `mask` turns
    (contact kind, value) into what the user may see (privacy.queries.contact_masker)."""
    yield export_headers(kind)
    if kind == ImportKind.CUSTOMERS:
        yield from _customer_rows(queryset, mask=mask)
    else:
        yield from _ROWS[kind](queryset)


def export_filename(*, kind: str, fmt: str) -> str:
    return f"{kind}-{timezone.localdate().isoformat()}.{fmt}"


def _customer_rows(queryset: QuerySet, *, mask: Masker | None = None) -> Iterator[list]:
    queryset = queryset.select_related("segment", "team").prefetch_related(
        "tags", Prefetch("contacts", queryset=ContactPoint.objects.order_by("-is_primary", "pk"))
    )
    for c in queryset.iterator(chunk_size=CHUNK_SIZE):
        contacts: dict[str, str] = {}
        for contact in c.contacts.all():  # primary first: it is the one exported
            value = mask(contact.kind, contact.value) if mask else contact.value
            contacts.setdefault(contact.kind, value)
        yield [
            c.external_id,
            c.name,
            c.gender,
            c.birth_year,
            c.occupation,
            c.region,
            c.city,
            c.segment.name if c.segment else "",
            ", ".join(sorted(tag.name for tag in c.tags.all())),
            c.team.name if c.team else "",
            *(contacts.get(kind, "") for kind in _CONTACT_ORDER),
            c.language,
            c.consent_email,
            c.consent_sms,
            c.consent_phone,
            c.consent_messaging,
            c.notes,
        ]


def _purchase_rows(queryset: QuerySet) -> Iterator[list]:
    items = PurchaseItem.objects.select_related("product").order_by("pk")
    queryset = queryset.select_related("customer").prefetch_related(
        Prefetch("items", queryset=items)
    )
    for p in queryset.iterator(chunk_size=CHUNK_SIZE):
        order = [p.external_id, p.customer.external_id, p.purchased_at, p.channel, p.amount]
        after = [p.delivered_at, p.returned, p.returned_at, p.store]
        lines = list(p.items.all())
        if not lines:
            yield [*order, "", "", "", "", "", *after]
        for item in lines:
            product = item.product
            line = [product.sku, product.name, product.category, item.quantity, item.unit_price]
            yield [*order, *line, *after]


def _interaction_rows(queryset: QuerySet) -> Iterator[list]:
    queryset = queryset.select_related("customer", "team", "handled_by")
    for i in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [
            i.external_id,
            i.customer.external_id,
            i.kind,
            i.channel,
            i.occurred_at,
            i.subject,
            i.content,
            i.outcome,
            i.outcome_note,
            i.handled_by.username if i.handled_by else "",
            i.team.name if i.team else "",
            i.closed_at,
        ]


_ROWS = {
    ImportKind.CUSTOMERS: _customer_rows,
    ImportKind.PURCHASES: _purchase_rows,
    ImportKind.INTERACTIONS: _interaction_rows,
}
