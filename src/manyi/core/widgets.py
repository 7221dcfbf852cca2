"""Date and time inputs that browsers understand in every language.

A browser's ``<input type="date">`` and ``type="datetime-local"`` accept only ISO values
(``2026-12-01``, ``2026-12-01T23:13``). Django's widgets render the first *localized* input format
(``2026/12/01 23:13`` in zh-hans), which the browser shows as empty and then submits as empty.
Every date and time field in manyi uses these widgets instead.
"""

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ISO_TIME = "%H:%M"

# What the fields accept back: the browser's ISO value first, then what a person may type
# where the browser has no date picker.
DATE_INPUT_FORMATS = [ISO_DATE, "%Y/%m/%d", "%Y年%m月%d日"]
DATETIME_INPUT_FORMATS = [
    ISO_DATETIME_LOCAL,
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    ISO_DATE,
]


TIME_INPUT_FORMATS = [ISO_TIME, "%H:%M:%S"]

# A period's ends: bounded, so that the day after it, or the previous period of a
# comparison, stays in the calendar (9999-12-31 + 1 day does not exist).
PERIOD_BOUNDS = [
    MinValueValidator(dt.date(1900, 1, 1)),
    MaxValueValidator(dt.date(2999, 12, 31)),
]


class _IsoValue:
    """A submitted value is read as ISO and shown back as ISO: a filter link with
    ``?since=2026/12/01`` (typed, bookmarked, or from an older page) is the same date in every
    language (the field always accepts ISO), and re-renders as ``2026-12-01``, not as text the
    date picker would show empty and then drop. A value that is not a date at all is kept as
    typed, so the field explains it and the person can correct it."""

    parse_formats: list[str]

    def _iso(self, value):
        if not isinstance(value, str):
            return value
        text = value.strip()
        for fmt in self.parse_formats:
            try:
                return dt.datetime.strptime(text, fmt).strftime(self.format)
            except ValueError:
                continue
        return value

    def value_from_datadict(self, data, files, name):
        return self._iso(super().value_from_datadict(data, files, name))

    def format_value(self, value):
        if isinstance(value, str):
            return self._iso(value)
        return super().format_value(value)


class IsoDateInput(_IsoValue, forms.DateInput):
    input_type = "date"
    parse_formats = DATE_INPUT_FORMATS

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)


class IsoDateTimeInput(_IsoValue, forms.DateTimeInput):
    input_type = "datetime-local"
    parse_formats = DATETIME_INPUT_FORMATS

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATETIME_LOCAL)


class IsoTimeInput(_IsoValue, forms.TimeInput):
    input_type = "time"
    parse_formats = TIME_INPUT_FORMATS

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_TIME)


def use_iso_inputs(form):
    """Give every date/datetime/time field of ``form`` an ISO widget and ISO input formats.

    Called for forms whose fields come from elsewhere (model forms, django-filter filtersets).
    """
    for field in form.fields.values():
        widget = field.widget
        attrs = dict(widget.attrs)
        attrs.pop("type", None)
        if isinstance(field, forms.DateTimeField):
            field.widget = IsoDateTimeInput(attrs=attrs)
            field.input_formats = DATETIME_INPUT_FORMATS
        elif isinstance(field, forms.DateField):
            field.widget = IsoDateInput(attrs=attrs)
            field.input_formats = DATE_INPUT_FORMATS
        elif isinstance(field, forms.TimeField):
            field.widget = IsoTimeInput(attrs=attrs)
            field.input_formats = TIME_INPUT_FORMATS
        else:
            continue
        field.widget.is_required = field.required
    return form
