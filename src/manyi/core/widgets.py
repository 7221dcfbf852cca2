"""Date and time inputs that browsers understand in every language.

A browser's ``<input type="date">`` and ``type="datetime-local"`` accept only ISO values
(``2026-12-01``, ``2026-12-01T23:13``). Django's widgets render the first *localized* input format
(``2026/12/01 23:13`` in zh-hans), which the browser shows as empty and then submits as empty.
Every date and time field in manyi uses these widgets instead.
"""

from django import forms

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


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)


class IsoDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATETIME_LOCAL)


class IsoTimeInput(forms.TimeInput):
    input_type = "time"

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
            field.input_formats = [ISO_TIME, "%H:%M:%S"]
        else:
            continue
        field.widget.is_required = field.required
    return form
