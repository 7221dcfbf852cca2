"""Placeholders of message templates (话术): `{customer_name}`, `{case_no}`, ... Only the
names listed here may appear, bare (no attribute, index, conversion or format): a template
with any other is refused when it is saved. Values are inserted as plain text, once (a value
that itself looks like a placeholder is not expanded again), and `{{` / `}}` write braces."""

from __future__ import annotations

import string

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = {
    "customer_name": _("the customer's name"),
    "product": _("the product of the case's purchase (“our product” for a case without one)"),
    "case_no": _("the case number"),
    "agent": _("the name of the person who sends the message"),
    "company": _("the company's name (settings: MANYI_COMPANY_NAME)"),
    "subject": _("the case's subject"),
}


class PlaceholderError(ValueError):
    pass


def names_in(text: str) -> list[str]:
    """The placeholders `text` uses, in order; PlaceholderError for anything else."""
    names = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:  # a lone { or }
        raise PlaceholderError(
            _("A brace is not closed; write {{ or }} for a brace itself.")
        ) from error
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field in PLACEHOLDERS and (spec or conversion):
            raise PlaceholderError(_("Write {%(name)s} alone, without a format.") % {"name": field})
        if field not in PLACEHOLDERS:
            raise PlaceholderError(
                _("Unknown placeholder {%(name)s}. Known: %(known)s.")
                % {"name": field, "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)}
            )
        names.append(field)
    return names


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each placeholder replaced by its value, as plain text."""
    names_in(text)
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(text):
        parts.append(literal)
        if field is not None:
            parts.append(str(values.get(field, "")))
    return "".join(parts)


def sender_values(user) -> dict[str, str]:
    """{agent} and {company}: who sends the message, for whom."""
    return {
        "agent": (user.get_full_name() or user.get_username()) if user else "",
        "company": getattr(settings, "MANYI_COMPANY_NAME", "") or "",
    }


def our_product(language: str) -> str:
    """{product} when the message is about no purchase, in the template's language."""
    with translation.override(language):
        return str(_("our product"))
