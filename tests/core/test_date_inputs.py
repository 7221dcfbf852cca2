"""Every date and time input renders the ISO value a browser's date picker understands, in
every language (issue 15, item 7). Django's own widgets render the first localized format,
``2026/12/01 23:13`` in zh-hans, which Chromium shows as empty and then submits as empty."""

import datetime as dt
import importlib
import pkgutil

import django_filters
import pytest
from django import forms
from django.utils import timezone, translation

import manyi
from manyi.core.widgets import IsoDateInput, IsoDateTimeInput, IsoTimeInput, use_iso_inputs
from manyi.customers.forms import InteractionForm
from tests.factories import CustomerFactory

ISO_WIDGETS = (IsoDateInput, IsoDateTimeInput, IsoTimeInput)


def _all_form_classes():
    for module in pkgutil.walk_packages(manyi.__path__, "manyi."):
        if any(
            part in module.name for part in (".migrations", ".settings", ".management")
        ) or module.name.endswith(("__main__", "wsgi", "asgi")):
            continue
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in [*subclasses(forms.BaseForm), *subclasses(django_filters.FilterSet)]:
        if cls.__module__.startswith("manyi."):
            yield cls


def _date_fields(cls):
    if issubclass(cls, django_filters.FilterSet):
        for name, flt in cls.base_filters.items():
            yield name, flt.field
    else:
        yield from cls.base_fields.items()


def test_every_date_field_in_manyi_uses_an_iso_widget():
    checked, wrong = 0, []
    for cls in _all_form_classes():
        for name, field in _date_fields(cls):
            if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField):
                checked += 1
                if not isinstance(field.widget, ISO_WIDGETS):
                    wrong.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert checked >= 15  # the sweep found the project's forms
    assert wrong == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_widgets_render_iso_in_every_language(language):
    when = dt.datetime(2026, 12, 1, 23, 13)
    with translation.override(language):
        assert 'value="2026-12-01T23:13"' in IsoDateTimeInput().render("at", when)
        assert 'type="datetime-local"' in IsoDateTimeInput().render("at", when)
        assert 'value="2026-12-01"' in IsoDateInput().render("on", when.date())
        assert 'value="23:13"' in IsoTimeInput().render("t", when.time())


@pytest.mark.django_db
def test_interaction_form_round_trips_its_own_value_in_chinese(agent):
    customer = CustomerFactory()
    with translation.override("zh-hans"):
        form = InteractionForm(
            initial={"occurred_at": dt.datetime(2026, 12, 1, 23, 13)}, user=agent
        )
        html = str(form["occurred_at"])
        assert 'value="2026-12-01T23:13"' in html
        posted = InteractionForm(
            data={
                "kind": "inquiry",
                "channel": "phone",
                "occurred_at": "2026-12-01T23:13",
                "subject": "到货时间",
                "content": "",
                "outcome": "",
            },
            user=agent,
        )
        posted.is_valid()
        assert "occurred_at" not in posted.errors
        assert timezone.localtime(posted.cleaned_data["occurred_at"]).hour == 23
    assert customer.pk


def test_use_iso_inputs_converts_a_plain_form():
    class Plain(forms.Form):
        on = forms.DateField()
        at = forms.DateTimeField(required=False)

    form = use_iso_inputs(Plain(data={"on": "2026/12/01", "at": "2026-12-01T08:05"}))
    assert isinstance(form.fields["on"].widget, IsoDateInput)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["on"] == dt.date(2026, 12, 1)
