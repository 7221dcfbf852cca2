"""Cell parsers: each takes a non-empty cell and returns a typed value or raises Invalid with
a message that names the value and says what would be right. Pure: no database, and the same
result whatever language the user interface is in."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..normalize import contact_error, normalize_contact
from .readers import Cell

_YES = {"yes", "y", "true", "t", "1", "是", "对", "有", "√"}
_NO = {"no", "n", "false", "f", "0", "否", "不", "无"}
_TAG_SPLIT = re.compile(r"[,;、，；]")
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+(\d{1,2})\s*[:：时点]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.(\d{1,6}))?)?\s*秒?)?$"
)
_MONEY_NOISE = re.compile(r"[¥￥\s]")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_CENT = Decimal("0.01")
_MONEY_LIMIT = Decimal(10) ** 10


class Invalid(ValueError):
    """A cell that cannot be used; the argument is the message for the user."""


def _text(cell: Cell) -> str:
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ") if cell.time() != dt.time() else cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return cell.strip()


def text(max_length: int | None = None) -> Callable[[Cell], str]:
    def parse(cell: Cell) -> str:
        value = _text(cell)
        if max_length and len(value) > max_length:
            raise Invalid(_("This value is longer than %(max)d characters.") % {"max": max_length})
        return value

    return parse


def choice(choices: type[models.TextChoices], aliases: dict[str, str]) -> Callable[[Cell], str]:
    """Accepts the code, the English label and the given (Chinese) aliases, in any case."""
    lookup: dict[str, str] = {}

    def parse(cell: Cell) -> str:
        if not lookup:  # built on first use: labels are lazy translations
            with translation.override(None):  # the English labels, whatever the UI language
                lookup.update({str(label).lower(): value for value, label in choices.choices})
            lookup.update({value.lower(): value for value in choices.values})
            lookup.update({alias.lower(): value for alias, value in aliases.items()})
        value = _text(cell)
        found = lookup.get(value.lower())
        if found is None:
            allowed = ", ".join(choices.values)
            raise Invalid(
                _("“%(value)s” is not one of the allowed values: %(allowed)s.")
                % {"value": value, "allowed": allowed}
            )
        return found

    return parse


def language(aliases: dict[str, str]) -> Callable[[Cell], str]:
    """A code of settings.LANGUAGES, its English name or one of `aliases`."""
    lookup: dict[str, str] = {}

    def parse(cell: Cell) -> str:
        if not lookup:
            with translation.override(None):
                lookup.update({str(label).lower(): code for code, label in settings.LANGUAGES})
            lookup.update({code.lower(): code for code, _label in settings.LANGUAGES})
            lookup.update(aliases)
        value = _text(cell)
        found = lookup.get(value.lower())
        if found is None:
            codes = ", ".join(code for code, _label in settings.LANGUAGES)
            raise Invalid(
                _("“%(value)s” is not a supported language; use one of %(codes)s.")
                % {"value": value, "codes": codes}
            )
        return found

    return parse


def boolean(cell: Cell) -> bool:
    value = _text(cell).lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise Invalid(_("“%(value)s” is not yes or no.") % {"value": value})


def moment(cell: Cell) -> dt.datetime:
    """An aware datetime; naive values are local time in settings.TIME_ZONE."""
    if isinstance(cell, dt.datetime):
        value = cell
    elif isinstance(cell, dt.date):
        value = dt.datetime.combine(cell, dt.time())
    else:
        value = _parse_datetime_text(cell.strip())
    if timezone.is_naive(value):
        value = timezone.make_aware(value, ZoneInfo(settings.TIME_ZONE))
    return value


def _parse_datetime_text(raw: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(raw)
    except ValueError:
        pass
    match = _DATE.match(raw)
    try:
        if match is None:
            raise ValueError(raw)
        year, month, day, hour, minute, second, fraction = match.groups()
        return dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        raise Invalid(
            _("“%(value)s” is not a valid date. Use YYYY-MM-DD.") % {"value": raw}
        ) from None


def _number(cell: Cell) -> Decimal:
    raw = _text(cell)
    number = _MONEY_NOISE.sub("", raw)
    if _THOUSANDS.match(number):
        number = number.replace(",", "")
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise Invalid(_("“%(value)s” is not a number.") % {"value": raw}) from None
    if not value.is_finite():
        raise Invalid(_("“%(value)s” is not a number.") % {"value": raw})
    return value


def money(cell: Cell) -> Decimal:
    value = _number(cell)
    if value < 0:
        raise Invalid(
            _("“%(value)s” is negative; amounts must be 0 or more.") % {"value": _text(cell)}
        )
    if value >= _MONEY_LIMIT:
        raise Invalid(_("“%(value)s” is too large.") % {"value": _text(cell)})
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def whole_number(low: int, high: int, message) -> Callable[[Cell], int]:
    def parse(cell: Cell) -> int:
        value = _number(cell)
        if value != value.to_integral_value():
            raise Invalid(_("“%(value)s” is not a whole number.") % {"value": _text(cell)})
        if not low <= value <= high:
            raise Invalid(message % {"value": _text(cell)})
        return int(value)

    return parse


def tags(cell: Cell) -> list[str]:
    names: dict[str, None] = {}
    for part in _TAG_SPLIT.split(_text(cell)):
        name = part.strip()
        if len(name) > 50:
            raise Invalid(_("The tag “%(value)s” is longer than 50 characters.") % {"value": name})
        if name:
            names[name] = None
    return list(names)


def contact(kind: str) -> Callable[[Cell], str]:
    def parse(cell: Cell) -> str:
        value = normalize_contact(kind, _text(cell))
        problem = contact_error(kind, value)
        if problem:
            raise Invalid(problem)
        return value

    return parse
