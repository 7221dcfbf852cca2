"""Purchases: one row per order line; the lines with the same order number form one order.

Re-importing an order replaces its lines. An order whose lines are not next to each other in
the file is still written whole: lines of an order already saved by this import are added.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from ..choices import ImportKind
from ..models import Product, Purchase, PurchaseItem
from .base import Importer, Saved, bulk_update, resolve_customers
from .rows import ParsedRow

_ORDER_FIELDS = ("purchased_at", "channel", "delivered_at", "returned", "returned_at", "store")


class PurchaseImporter(Importer):
    kind = ImportKind.PURCHASES
    keep_groups_together = True

    def __init__(self, header_map):
        super().__init__(header_map)
        self.written: set[str] = set()

    def record_key(self, row: ParsedRow) -> str:
        return row.values.get("order_no", "")

    def check(self, rows: list[ParsedRow]) -> None:
        resolve_customers(self, rows)
        skus = {row.values["sku"] for row in rows if "sku" in row.values}
        products = Product.objects.in_bulk(skus, field_name="sku") if skus else {}
        for row in rows:
            if "sku" in row.values:
                self._check_line(row, products.get(row.values["sku"]))
        groups = _groups(row for row in rows if "order_no" in row.values)
        known = set(
            Purchase.objects.filter(external_id__in=groups.keys()).values_list(
                "external_id", flat=True
            )
        )
        for order_no, lines in groups.items():
            new = order_no not in known and order_no not in self.written
            if new and not any("amount" in r.values or "sku" in r.values for r in lines):
                lines[-1].fail(self.header("amount"), _("Give the order's amount or its products."))
            _fail_whole_order(order_no, lines)

    def _check_line(self, row: ParsedRow, product: Product | None) -> None:
        values = row.values
        failed = {error.column for error in row.errors}
        if product is None and "product" not in values and self.header("product") not in failed:
            row.fail(
                self.header("product"),
                _("There is no product with the SKU “%(sku)s”; give its name to create it.")
                % {"sku": values["sku"]},
            )
        if "unit_price" not in values and self.header("unit_price") not in failed:
            if product is not None and product.price is not None:
                values["unit_price"] = product.price
            else:
                row.fail(
                    self.header("unit_price"),
                    _("Give the unit price: the product has no list price."),
                )

    def save(self, rows: list[ParsedRow]) -> Saved:
        if not rows:
            return Saved()
        groups = _groups(rows)
        products = _product_ids(rows)
        existing = Purchase.objects.in_bulk(groups.keys(), field_name="external_id")
        orders: list[tuple[Purchase, list[PurchaseItem], bool]] = []
        changed: set[str] = set()
        for order_no, lines in groups.items():
            purchase = existing.get(order_no) or Purchase(external_id=order_no)
            purchase.customer_id = lines[-1].values["customer"]
            for field in _ORDER_FIELDS:
                given = [line.values[field] for line in lines if field in line.values]
                if given:
                    setattr(purchase, field, given[-1])
                    changed.add(field)
            items = [
                PurchaseItem(
                    product_id=products[line.values["sku"]],
                    quantity=line.values.get("quantity", 1),
                    unit_price=line.values["unit_price"],
                )
                for line in lines
                if "sku" in line.values
            ]
            amounts = [line.values["amount"] for line in lines if "amount" in line.values]
            if amounts:
                purchase.amount = amounts[-1]
            elif items:
                purchase.amount = sum((i.unit_price * i.quantity for i in items), Decimal(0))
            orders.append((purchase, items, bool(amounts)))
        new = [purchase for purchase, _items, _a in orders if purchase.pk is None]
        old = [purchase for purchase, _items, _a in orders if purchase.pk is not None]
        Purchase.objects.bulk_create(new)
        if old:
            bulk_update(Purchase, old, [*sorted(changed), "customer", "amount"])
        if any(purchase.pk is None for purchase in new):  # backends without RETURNING
            pks = Purchase.objects.in_bulk([p.external_id for p in new], field_name="external_id")
            for purchase in new:
                purchase.pk = pks[purchase.external_id].pk
        replaced = [p.pk for p in old if p.external_id not in self.written]
        PurchaseItem.objects.filter(purchase_id__in=replaced).delete()
        PurchaseItem.objects.bulk_create(
            [_with_purchase(item, purchase) for purchase, items, _a in orders for item in items]
        )
        _recount_amounts(
            [
                purchase.pk
                for purchase, items, explicit in orders
                if items and not explicit and purchase.external_id in self.written
            ]
        )
        return Saved(created=len(new), updated=len(old))

    def committed(self, rows: list[ParsedRow]) -> None:
        self.written.update(row.values["order_no"] for row in rows)


def _groups(rows) -> dict[str, list[ParsedRow]]:
    groups: dict[str, list[ParsedRow]] = defaultdict(list)
    for row in rows:
        groups[row.values["order_no"]].append(row)
    return groups


def _fail_whole_order(order_no: str, lines: list[ParsedRow]) -> None:
    """Half an order is wrong data: when one line fails, the order's other lines fail too."""
    broken = next((line for line in lines if line.errors), None)
    if broken is None:
        return
    for line in lines:
        if not line.errors:
            line.fail(
                "",
                _("Order “%(order)s” was not imported because row %(row)d has errors.")
                % {"order": order_no, "row": broken.number},
            )


def _product_ids(rows: list[ParsedRow]) -> dict[str, int]:
    """Ids by SKU; an unknown SKU becomes a new product named by its row."""
    wanted = {row.values["sku"]: row.values for row in rows if "sku" in row.values}
    if not wanted:
        return {}
    found = dict(Product.objects.filter(sku__in=wanted).values_list("sku", "pk"))
    missing = [
        Product(sku=sku, name=values["product"], category=values.get("category", ""))
        for sku, values in wanted.items()
        if sku not in found
    ]
    if missing:
        Product.objects.bulk_create(missing, ignore_conflicts=True)
        found.update(
            Product.objects.filter(sku__in=[p.sku for p in missing]).values_list("sku", "pk")
        )
    return found


def _with_purchase(item: PurchaseItem, purchase: Purchase) -> PurchaseItem:
    item.purchase_id = purchase.pk
    return item


def _recount_amounts(purchase_ids: list[int]) -> None:
    """Orders that got more lines later in the same file: their amount is the sum of all."""
    if not purchase_ids:
        return
    money = DecimalField(max_digits=12, decimal_places=2)
    total = (
        PurchaseItem.objects.filter(purchase=OuterRef("pk"))
        .values("purchase")
        .annotate(total=Sum(F("unit_price") * F("quantity"), output_field=money))
        .values("total")
    )
    Purchase.objects.filter(pk__in=purchase_ids).update(
        amount=Coalesce(Subquery(total, output_field=money), Value(Decimal(0)), output_field=money)
    )
