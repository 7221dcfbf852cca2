"""Canonical forms of contact values, so that search and re-import match whatever way a
number or address was typed. Used by forms, imports and the demo generator alike."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .choices import ContactKind

_PHONE_NOISE = re.compile(r"[\s\-().\u3000]")
_PHONE_VALID = re.compile(r"^\+?\d{5,20}$")
_EMAIL_VALID = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_phone(value: str) -> str:
    """'+86 138-0013-8000' -> '+8613800138000'; a leading 00 becomes +."""
    digits = _PHONE_NOISE.sub("", value.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    return digits


def is_valid_phone(value: str) -> bool:
    return bool(_PHONE_VALID.match(value))


def normalize_email(value: str) -> str:
    return value.strip().lower()


def is_valid_email(value: str) -> bool:
    return bool(_EMAIL_VALID.match(value)) and len(value) <= 254


def normalize_contact(kind: str, value: str) -> str:
    if kind == ContactKind.PHONE:
        return normalize_phone(value)
    if kind == ContactKind.EMAIL:
        return normalize_email(value)
    return " ".join(value.split())


def contact_error(kind: str, value: str) -> str | None:
    """Why a normalised contact value is unusable (a translated message), or None."""
    if not value:
        return _("This value is empty.")
    if kind == ContactKind.PHONE and not is_valid_phone(value):
        return _("“%(value)s” is not a phone number.") % {"value": value}
    if kind == ContactKind.EMAIL and not is_valid_email(value):
        return _("“%(value)s” is not an email address.") % {"value": value}
    if len(value) > 255:
        return _("This value is longer than 255 characters.")
    return None
