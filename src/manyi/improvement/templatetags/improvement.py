"""{% plan_url metric="csat" group="region:华东" finding="..." %}: the address of a new
improvement action filled in from a finding (an item below target, a frequent complaint
category, a region that lags). The values are URL-encoded here and escaped by the template."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def plan_url(*, cut=None, value=None, **fields) -> str:
    """`cut` and `value` name the group (a breakdown's row): `group=cut:value`."""
    if cut and value not in (None, ""):
        fields["group"] = f"{cut}:{value}"
    values = {k: str(v) for k, v in fields.items() if v not in (None, "")}
    return f"{reverse('improvement:create')}?{urlencode(values)}"
