"""Customers: matched on external ID; contacts and tags are added, never removed."""

from __future__ import annotations

from django.utils import timezone

from ..choices import ContactKind, ImportKind
from ..models import ContactPoint, Customer, Segment, Tag
from .base import Importer, Saved, bulk_update, ids_by_name
from .rows import ParsedRow

_PLAIN_FIELDS = (
    "name",
    "gender",
    "birth_year",
    "occupation",
    "region",
    "city",
    "language",
    "consent_email",
    "consent_sms",
    "consent_phone",
    "consent_messaging",
    "notes",
    "team_id",
    "segment_id",
)
CONTACT_FIELDS = {
    "phone": ContactKind.PHONE,
    "email": ContactKind.EMAIL,
    "address": ContactKind.ADDRESS,
    "messaging_id": ContactKind.MESSAGING,
}


class CustomerImporter(Importer):
    kind = ImportKind.CUSTOMERS

    def check(self, rows: list[ParsedRow]) -> None:
        for row in rows:
            self.resolve_team(row)

    def save(self, rows: list[ParsedRow]) -> Saved:
        if not rows:
            return Saved()
        keys = {row.values["external_id"] for row in rows}
        existing = Customer.objects.in_bulk(keys, field_name="external_id")
        segments = ids_by_name(
            Segment, (r.values["segment"] for r in rows if "segment" in r.values)
        )
        now = timezone.now()
        records: dict[str, Customer] = {}
        changed: set[str] = set()
        for row in rows:
            key = row.values["external_id"]
            customer = records.get(key) or existing.get(key) or Customer(external_id=key)
            records[key] = customer
            values = row.values
            if "segment" in values:
                values["segment_id"] = segments[values["segment"]]
            for field in _PLAIN_FIELDS:
                if field in values:
                    setattr(customer, field, values[field])
                    changed.add(field)
        new = [customer for key, customer in records.items() if key not in existing]
        old = [customer for key, customer in records.items() if key in existing]
        Customer.objects.bulk_create(new)
        if old and changed:
            for customer in old:
                customer.updated_at = now
            bulk_update(Customer, old, [*sorted(changed), "updated_at"])
        if any(customer.pk is None for customer in new):  # backends without RETURNING
            pks = Customer.objects.in_bulk([c.external_id for c in new], field_name="external_id")
            for customer in new:
                customer.pk = pks[customer.external_id].pk
        _add_tags(rows, records)
        _add_contacts(rows, records)
        return Saved(created=len(new), updated=len(old))


def _add_tags(rows: list[ParsedRow], records: dict[str, Customer]) -> None:
    wanted = {
        (records[row.values["external_id"]].pk, name)
        for row in rows
        for name in row.values.get("tags", ())
    }
    if not wanted:
        return
    tag_ids = ids_by_name(Tag, {name for _pk, name in wanted})
    through = Customer.tags.through
    through.objects.bulk_create(
        [through(customer_id=pk, tag_id=tag_ids[name]) for pk, name in wanted],
        ignore_conflicts=True,
    )


def _add_contacts(rows: list[ParsedRow], records: dict[str, Customer]) -> None:
    """Add each imported contact if new, and make the last one imported primary for its kind."""
    primary: dict[tuple[int, str], str] = {}
    for row in rows:
        pk = records[row.values["external_id"]].pk
        for field, kind in CONTACT_FIELDS.items():
            if field in row.values:
                primary[(pk, kind)] = row.values[field]
    if not primary:
        return
    imported = {(pk, kind, value) for (pk, kind), value in primary.items()}
    customers = {pk for pk, _kind in primary}
    existing = ContactPoint.objects.filter(customer_id__in=customers).values_list(
        "pk", "customer_id", "kind", "value", "is_primary"
    )
    promote, demote, present = [], [], set()
    for pk, customer_id, kind, value, is_primary in existing:
        present.add((customer_id, kind, value))
        wanted = primary.get((customer_id, kind))
        if wanted is None:
            continue
        if value == wanted and not is_primary:
            promote.append(pk)
        elif value != wanted and is_primary:
            demote.append(pk)
    ContactPoint.objects.bulk_create(
        [
            ContactPoint(customer_id=pk, kind=kind, value=value, is_primary=True)
            for pk, kind, value in imported - present
        ]
    )
    if promote:
        ContactPoint.objects.filter(pk__in=promote).update(is_primary=True)
    if demote:
        ContactPoint.objects.filter(pk__in=demote).update(is_primary=False)
