"""Search and filters of the customer and interaction lists; exports reuse them, so a user
exports exactly what they see."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from manyi.accounts.models import Team
from manyi.core.widgets import IsoDateInput

from .choices import Channel, Gender, InteractionKind, Outcome
from .models import ContactPoint, Customer, Interaction, Segment, Tag
from .normalize import normalize_email, phone_search_digits


def _customers_matching(query: str) -> Q:
    """Name, external ID, phone or email: one box, as service staff expect."""
    phone = phone_search_digits(query)
    contact_q = Q(value__icontains=normalize_email(query))
    if phone and phone.lstrip("+").isdigit():
        contact_q |= Q(value__contains=phone)
    contacts = ContactPoint.objects.filter(contact_q, customer=OuterRef("pk"))
    return Q(name__icontains=query) | Q(external_id__iexact=query) | Exists(contacts)


class CustomerFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    segment = django_filters.ModelChoiceFilter(label=_("Segment"), queryset=Segment.objects.all())
    tag = django_filters.ModelChoiceFilter(
        label=_("Tag"), field_name="tags", queryset=Tag.objects.all()
    )
    region = django_filters.ChoiceFilter(label=_("Region"), choices=[])
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())

    class Meta:
        model = Customer
        fields = ["q", "segment", "tag", "region", "gender", "team"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Regions come from the data the user can see, not from a fixed list.
        regions = (
            self.queryset.exclude(region="")
            .order_by("region")
            .values_list("region", flat=True)
            .distinct()
        )
        self.filters["region"].extra["choices"] = [(r, r) for r in regions]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(_customers_matching(value)) if value else queryset


class InteractionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=InteractionKind.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=Outcome.choices)
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    since = django_filters.DateFilter(
        label=_("From"), field_name="occurred_at", lookup_expr="date__gte", widget=IsoDateInput()
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="occurred_at", lookup_expr="date__lte", widget=IsoDateInput()
    )

    class Meta:
        model = Interaction
        fields = ["q", "kind", "channel", "outcome", "team", "since", "until"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(subject__icontains=value)
            | Q(content__icontains=value)
            | Q(customer__name__icontains=value)
            | Q(customer__external_id__iexact=value)
        )
