"""Choosing whom to invite: the customer list's filters plus what they bought and when."""

import django_filters
from django.db.models import Exists, Max, OuterRef
from django.utils.translation import gettext_lazy as _

from manyi.core.widgets import IsoDateInput
from manyi.customers.filters import CustomerFilterSet
from manyi.customers.models import Product, PurchaseItem


class SelectionFilterSet(CustomerFilterSet):
    product = django_filters.ModelChoiceFilter(
        label=_("Bought product"), queryset=Product.objects.all(), method="filter_product"
    )
    last_purchase_after = django_filters.DateFilter(
        label=_("Last purchase on or after"),
        method="filter_last_purchase_after",
        widget=IsoDateInput(),
    )
    last_purchase_before = django_filters.DateFilter(
        label=_("Last purchase on or before"),
        method="filter_last_purchase_before",
        widget=IsoDateInput(),
    )

    class Meta(CustomerFilterSet.Meta):
        fields = [
            *CustomerFilterSet.Meta.fields,
            "product",
            "last_purchase_after",
            "last_purchase_before",
        ]

    def filter_product(self, queryset, name, value):
        bought = PurchaseItem.objects.filter(product=value, purchase__customer=OuterRef("pk"))
        return queryset.filter(Exists(bought))

    def _with_last_purchase(self, queryset):
        if "last_purchase" in queryset.query.annotations:
            return queryset
        return queryset.annotate(last_purchase=Max("purchases__purchased_at"))

    def filter_last_purchase_after(self, queryset, name, value):
        return self._with_last_purchase(queryset).filter(last_purchase__date__gte=value)

    def filter_last_purchase_before(self, queryset, name, value):
        return self._with_last_purchase(queryset).filter(last_purchase__date__lte=value)

    def params(self, data) -> dict[str, str]:
        """The selection as posted, non-empty fields only: stored with what was sent
        (a distribution, a follow-up) so that it can be shown and drawn again."""
        return {name: data[name] for name in self.filters if data.get(name, "").strip()}
