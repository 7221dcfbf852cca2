from django import template

from ..queries import shown_contact as _shown_contact
from ..queries import text_masker as _text_masker

register = template.Library()


@register.simple_tag(takes_context=True)
def shown_contact(context, kind: str, value: str) -> str:
    """A contact value as the page's user may see it: masked unless they see all contacts."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return _shown_contact(user, kind, value or "")


@register.simple_tag(takes_context=True)
def shown_text(context, text: str) -> str:
    """Free text with the contact details in it masked, unless the user sees all contacts."""
    request = context.get("request")
    return _text_masker(getattr(request, "user", None))(text or "")
