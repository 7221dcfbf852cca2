"""The case queue's search and filters."""

import re

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts.models import Team
from manyi.core.widgets import IsoDateInput
from manyi.customers.models import Customer

from .choices import OPEN_STATUSES, CaseType, Severity, Status
from .models import Case, Category

NUMBER = re.compile(r"^0*(\d{1,12})$")
MAX_NAMED = 1000  # customers found by name, passed on as a list of ids
CASE_NUMBER = re.compile(r"^[Cc]\d{1,12}$")


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    state = django_filters.ChoiceFilter(
        label=_("Cases"),
        method="filter_state",
        empty_label=_("Open"),
        choices=[("mine", _("Mine, open")), ("late", _("Late")), ("all", _("All"))],
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    case_type = django_filters.ChoiceFilter(label=_("Type"), choices=CaseType.choices)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.filter(is_active=True)
    )
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    since = django_filters.DateFilter(
        label=_("Opened from"),
        field_name="opened_at",
        lookup_expr="date__gte",
        widget=IsoDateInput(),
    )
    until = django_filters.DateFilter(
        label=_("Opened to"), field_name="opened_at", lookup_expr="date__lte", widget=IsoDateInput()
    )

    class Meta:
        model = Case
        fields = [
            "q",
            "state",
            "status",
            "case_type",
            "severity",
            "category",
            "team",
            "since",
            "until",
        ]

    def __init__(self, data=None, *args, user=None, **kwargs):
        self.user = user
        super().__init__(data, *args, **kwargs)

    @property
    def qs(self):
        queryset = super().qs
        chosen = self.form.cleaned_data if self.form.is_valid() else {}
        if not chosen.get("state") and not chosen.get("status"):
            queryset = queryset.filter(status__in=OPEN_STATUSES)  # the default: open cases
        return queryset

    def filter_state(self, queryset, name, value):
        if value == "mine":
            return queryset.filter(owner=self.user, status__in=OPEN_STATUSES)
        if value == "late":  # a target passed (paused and stopped timers have no due time)
            now = timezone.now()
            return queryset.filter(status__in=OPEN_STATUSES).filter(
                Q(resolution_due__lte=now) | Q(response_due__lte=now)
            )
        return queryset

    @property
    def history(self) -> bool:
        """Whether the list holds closed cases too (then it is ordered by opening time)."""
        chosen = self.form.cleaned_data if self.form.is_valid() else {}
        return chosen.get("state") == "all" or chosen.get("status") in (
            Status.RESOLVED,
            Status.CLOSED,
        )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if CASE_NUMBER.match(value):  # a case number, as printed: that case, at once
            return queryset.filter(pk=int(value[1:]))
        # The customers by name or ID first, then their cases by id: one condition over
        # the case table, which PostgreSQL answers from two indexes (the subject's trigram
        # index, migration 0011, and case_customer) instead of reading every open case.
        named = Customer.objects.filter(Q(name__icontains=value) | Q(external_id__iexact=value))
        ids = list(named.values_list("pk", flat=True)[: MAX_NAMED + 1])
        customers = named.values("pk") if len(ids) > MAX_NAMED else ids
        condition = Q(subject__icontains=value) | Q(customer_id__in=customers)
        if NUMBER.match(value):
            condition |= Q(pk=int(NUMBER.match(value).group(1)))
        return queryset.filter(condition)
