"""The cut registry: every way the survey numbers can be sliced, declared once.

A cut's declaration drives everything that knows about it: the rollup rows kept for it
(`counts`), the SQL that reads a response's value for it (`queries`, the live tail and the
checks), `Filters` (one field each), `group_by`, the dashboard filter form's field and the
names shown for its values. Adding a cut (a store, a saved segment, a wave) means adding an
entry here and its field on `Filters`; `tests/analytics/test_rollups.py` checks both agree.

The team is not one of these cuts: it is the access scope, so every rollup row carries it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _


def _segment_names(ids, language):
    from manyi.customers.models import Segment

    return dict(Segment.objects.filter(pk__in=ids).values_list("pk", "name"))


def _product_names(ids, language):
    from manyi.customers.models import Product

    return dict(Product.objects.filter(pk__in=ids).values_list("pk", "name"))


def _staff_names(ids, language):
    from manyi.accounts.models import User

    return {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}


def _channel_names(keys, language):
    from manyi.surveys.choices import ResponseChannel

    return {k: str(ResponseChannel(k).label) for k in keys if k in ResponseChannel.values}


def _same(keys, language):
    return {k: k for k in keys}


def _segment_field(user):
    from manyi.customers.models import Segment

    return forms.ModelChoiceField(
        queryset=Segment.objects.all(), required=False, label=_("Segment")
    )


def _region_field(user):
    from manyi.customers.models import Customer

    regions = Customer.objects.visible_to(user).exclude(region="")
    values = sorted(regions.values_list("region", flat=True).distinct().order_by())
    return forms.ChoiceField(
        choices=[("", "---------"), *((r, r) for r in values)], required=False, label=_("Region")
    )


def _channel_field(user):
    from manyi.surveys.choices import ResponseChannel

    return forms.ChoiceField(
        choices=[("", "---------"), *ResponseChannel.choices], required=False, label=_("Channel")
    )


def _product_field(user):
    from manyi.customers.models import Product

    return forms.ModelChoiceField(
        queryset=Product.objects.order_by("category", "name"), required=False, label=_("Product")
    )


def _staff_field(user):
    from manyi.accounts import access
    from manyi.accounts.choices import Role
    from manyi.accounts.models import User

    staff = User.objects.filter(role__in=[Role.AGENT, Role.ANALYST, Role.ADMIN], is_active=True)
    scope = access.read_scope(user)
    if not scope.everything:
        staff = staff.filter(team_id__in=scope.team_ids)
    return forms.ModelChoiceField(
        queryset=staff.order_by("username"), required=False, label=_("Staff")
    )


@dataclass(frozen=True)
class Cut:
    """One way to slice responses.

    - `name`: the cut's key (`group_by`, URLs, the rollup's `cut` column);
    - `field`: its `Filters` field (an id or a text; "none" is 0 / "");
    - `sql`: its value for a response, as SQL over the aliases `r` (surveys_response) and
      `c` (customers_customer, left-joined), NULL when it has none; `lookup` the same as an
      ORM path from a response;
    - `numeric`: values are ids (ints), else texts;
    - `form_field(user)`: the dashboard filter form's field, `form_value(value)` what of its
      cleaned value goes into `Filters`;
    - `names(keys, language)`: readable names of values, for breakdowns.
    """

    name: str
    field: str
    sql: str
    lookup: str
    numeric: bool
    label: object
    plural: object
    form_field: Callable
    names: Callable[[Iterable, str], dict]

    def form_value(self, value):
        if value in (None, ""):
            return None if self.numeric else ""
        return getattr(value, "pk", value)

    def parse(self, text: str):
        """A rollup's `cut_value` (text) as the Filters value: "" is none (0 or "")."""
        if self.numeric:
            return int(text) if text else 0
        return text


CUTS: dict[str, Cut] = {
    cut.name: cut
    for cut in (
        Cut(
            "segment",
            "segment_id",
            "c.segment_id",
            "customer__segment_id",
            True,
            _("Segment"),
            _("Segments"),
            _segment_field,
            _segment_names,
        ),
        Cut(
            "region",
            "region",
            "NULLIF(c.region, '')",
            "customer__region",
            False,
            _("Region"),
            _("Regions"),
            _region_field,
            _same,
        ),
        Cut(
            "channel",
            "channel",
            "NULLIF(r.channel, '')",
            "channel",
            False,
            _("Channel"),
            _("Channels"),
            _channel_field,
            _channel_names,
        ),
        Cut(
            "product",
            "product_id",
            "r.product_id",
            "product_id",
            True,
            _("Product"),
            _("Products"),
            _product_field,
            _product_names,
        ),
        Cut(
            "staff",
            "staff_id",
            "r.served_by_id",
            "served_by_id",
            True,
            _("Staff"),
            _("Staff"),
            _staff_field,
            _staff_names,
        ),
    )
}

# The access scope and its own breakdown: on every rollup row, as `team_id`.
TEAM_SQL = "c.team_id"
TEAM_LOOKUP = "customer__team_id"
