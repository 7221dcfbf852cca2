"""Canonical forms of contact values, so that search and re-import match whatever way a
number or address was typed. Used by forms, imports and the demo generator alike."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from .choices import ContactKind

# Spaces, brackets, dots and dashes of every width people type between the digits.
_PHONE_NOISE = re.compile(r"[\s\-().\u2010-\u2015\u2212]")
_PHONE_CHARS = re.compile(r"^\+?\d+$", re.ASCII)
# A mainland China mobile number: 11 digits, 1 then 3-9 (operators' ranges).
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_EMAIL = EmailValidator(allowlist=[])  # customers have no address at localhost


def _half_width(value: str) -> str:
    """Full-width digits and signs, as a Chinese input method types them, in plain ASCII:
    '１３８ ００１３ ８０００' is '138 0013 8000', '＋８６' is '+86',
    'ｌｉ＠ｅｘａｍｐｌｅ．ｃｎ' is 'li@example.cn'."""
    return unicodedata.normalize("NFKC", value)


def normalize_phone(value: str) -> str:
    """'+86 138-0013-8000' -> '+8613800138000'; a leading 00 becomes +, and a mainland
    mobile number written with its country code but no + ('8613800138000') gets the +.
    A mainland mobile number typed without a country code stays 11 digits."""
    digits = _PHONE_NOISE.sub("", _half_width(value).strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("86") and _CN_MOBILE.match(digits[2:]):
        digits = "+" + digits
    return digits


def phone_search_digits(value: str) -> str:
    """What to look for in stored numbers when someone searches for ``value``: a mainland
    mobile number by its 11 digits, so '+86 138 0013 8000' finds '13800138000' and the other
    way round (both forms are stored, as they were typed)."""
    phone = normalize_phone(value)
    if phone.startswith("+86") and _CN_MOBILE.match(phone[3:]):
        return phone[3:]
    return phone


def is_valid_phone(value: str) -> bool:
    """A normalised number that can be dialled: a mainland mobile number (11 digits), an
    international number in E.164 form (+ country code, checked against the numbering plan
    of that country by `phonenumbers`), or a mainland landline with its area code."""
    if not _PHONE_CHARS.match(value) or len(value) > 16:
        return False
    if _CN_MOBILE.match(value):
        return True
    if not value.startswith(("+", "0")):
        return False  # without +, a mainland landline begins with its area code's 0
    try:
        parsed = phonenumbers.parse(value, None if value.startswith("+") else "CN")
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(parsed):
        return False
    if parsed.country_code == 86 and str(parsed.national_number).startswith("1"):
        return bool(_CN_MOBILE.match(str(parsed.national_number)))
    return True


def normalize_email(value: str) -> str:
    return _half_width(value).strip().lower()


def is_valid_email(value: str) -> bool:
    try:
        _EMAIL(value)
    except ValidationError:
        return False
    return len(value) <= 254


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
        return _(
            "“%(value)s” is not a phone number: enter an 11-digit mainland mobile number, "
            "or an international number with + and the country code."
        ) % {"value": value}
    if kind == ContactKind.EMAIL and not is_valid_email(value):
        return _("“%(value)s” is not an email address.") % {"value": value}
    if len(value) > 255:
        return _("This value is longer than 255 characters.")
    return None
