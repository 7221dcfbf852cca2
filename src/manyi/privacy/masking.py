"""Masked contact details: enough to recognise a number or an address, not to use it.

Pure Python (no Django): `mask_phone("13812345678") == "138****5678"`,
`mask_email("zhang@example.com") == "z***@example.com"`. Every function is total: it takes
any string, never raises, and never returns more of the value than its rule keeps.
"""

from __future__ import annotations

import re

MASK = "****"
_DIGIT = re.compile(r"\d")
# Country codes whose length is known from the first digit(s) (ITU E.164 zones 1 and 7 have
# one digit); others are read as two digits when the zone is 2-9: enough to keep "+86".
_ONE_DIGIT_CODES = ("1", "7")


def mask_phone(value: str) -> str:
    """Keep the country code, the first 3 and the last 4 digits of the number; star the rest.

    "13812345678" -> "138****5678", "+86 138 1234 5678" -> "+86 138****5678",
    "010-62345678" -> "010****5678", "+14155552671" -> "+1 415****2671". Numbers too short to
    keep 7 digits and still hide at least 4 keep only their last 2 (or nothing)."""
    value = (value or "").strip()
    digits = "".join(_DIGIT.findall(value))
    if not digits:
        return MASK if value else ""
    prefix = ""
    if value.startswith("+") or value.startswith("00"):
        if value.startswith("00"):
            digits = digits[2:]
        code_len = 1 if digits.startswith(_ONE_DIGIT_CODES) else 2
        if len(digits) > code_len + 6:
            prefix, digits = f"+{digits[:code_len]} ", digits[code_len:]
        else:
            prefix = "+"
    if len(digits) >= 11:
        return f"{prefix}{digits[:3]}{MASK}{digits[-4:]}"
    if len(digits) >= 7:
        # Landlines and shorter national numbers: an area code of 3, at most 4 at the end,
        # and at least 3 hidden.
        keep_end = min(4, len(digits) - 6) if len(digits) < 10 else 4
        return f"{prefix}{digits[:3]}{MASK}{digits[len(digits) - keep_end :]}"
    if len(digits) >= 5:
        return f"{prefix}{MASK}{digits[-2:]}"
    return f"{prefix}{MASK}"


def mask_email(value: str) -> str:
    """Keep the first character of the name and the whole domain: "z***@example.com"."""
    value = (value or "").strip()
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if not at:
        return mask_text_token(value)
    if len(local) <= 1:
        return f"***@{domain}"
    return f"{local[0]}***@{domain}"


def mask_address(value: str) -> str:
    """Keep the beginning (province, city: a third of the text, at most 6 characters)."""
    value = (value or "").strip()
    if not value:
        return ""
    keep = min(len(value) // 3, 6)
    return f"{value[:keep]}{MASK}"


def mask_text_token(value: str) -> str:
    """A messaging ID or any other handle: the first and last 2 characters of 8 or more."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 8:
        return f"{value[:2]}{MASK}{value[-2:]}"
    return MASK


_BY_KIND = {
    "phone": mask_phone,
    "email": mask_email,
    "address": mask_address,
    "messaging": mask_text_token,
}


def mask_contact(kind: str, value: str) -> str:
    """The masked form of a contact value of the given kind (customers.ContactKind, or an
    invitation channel: "sms" is a phone number)."""
    if kind == "sms":
        kind = "phone"
    return _BY_KIND.get(kind, mask_text_token)(value)


# Contact details inside free text (an open answer "call me on 138 1234 5678", a note)
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE_IN_TEXT = re.compile(
    r"(?<![\dA-Za-z+])(?:"
    r"(?:(?:\+|00)86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}"  # Chinese mobile
    r"|0\d{2,3}-\d{7,8}"  # landline with its area code
    r"|\+\d{1,3}[\s-]?\d(?:[\s-]?\d){6,13}"  # international
    r")(?!\d)"
)


def mask_text(text: str) -> str:
    """Free text with the e-mail addresses and phone numbers in it masked; the rest unchanged.
    Dates, amounts and order numbers are left alone."""
    if not text:
        return text or ""
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group()), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)


def is_masked(value: str) -> bool:
    """Whether a contact value is a masked one (as exported to a user who may not see it):
    an importer leaves such a value out rather than store it."""
    return MASK in (value or "") or "***@" in (value or "")
