"""Every date and time input renders the ISO value a browser's date picker understands, in
every language (issue 15, item 7). Django's own widgets render the first localized format,
``2026/12/01 23:13`` in zh-hans, which Chromium shows as empty and then submits as empty."""

import datetime as dt
import importlib
import pkgutil
import re
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import django_filters
import pytest
from django import forms
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

import manyi
from manyi.accounts.models import User
from manyi.core.staff_pages import staff_pages
from manyi.core.widgets import IsoDateInput, IsoDateTimeInput, IsoTimeInput, use_iso_inputs
from manyi.customers.forms import InteractionForm
from tests.factories import CustomerFactory, InteractionFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")

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


# Every page a person opens, as rendered: what the browser receives is what matters, whatever
# widget, template or script produced it.
ISO_VALUE = {
    "date": re.compile(r"\d{4}-\d\d-\d\d"),
    "datetime-local": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?"),
    "time": re.compile(r"\d\d:\d\d(:\d\d)?"),
}
SMALL_DEMO = ("--customers", "40", "--purchases", "80", "--interactions", "60")
SMALL_DEMO += ("--responses", "60")


class _DateInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []  # (type, name, value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") in ISO_VALUE:
            self.found.append((attrs["type"], attrs.get("name") or "", attrs.get("value") or ""))


def _date_inputs(html: str) -> list[tuple[str, str, str]]:
    parser = _DateInputs()
    parser.feed(html)
    return parser.found


# What a person may type, or an old link may carry, where the page expects a date.
TYPED = {"date": "2026/01/05", "datetime-local": "2026/01/05 08:30", "time": "08:30"}


@pytest.mark.django_db
def test_every_date_input_on_every_staff_page_is_iso_in_chinese(client):
    # given: the demo data, an administrator who sees every page, and the Chinese interface
    until = dt.date.today().isoformat()
    call_command("demo_data", *SMALL_DEMO, "--until", until, stdout=StringIO())
    client.force_login(User.objects.get(username="admin"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    def inputs(url):
        response = client.get(url)
        if response.status_code != 200:
            return []  # a locked survey's question page answers 409, with no form
        html = response.content.decode()
        assert '<html lang="zh-hans"' in html, url
        return _date_inputs(html)

    # when: every staff page is opened, then opened again with its date fields filled in
    # as a person may type them (the filters are GET forms: the values come back)
    found, echoed, wrong = {}, 0, []
    for name, url in staff_pages():
        fields = inputs(url)
        for _kind, field, value in fields:
            found[(name, field)] = value
        typed = {field: TYPED[kind] for kind, field, _value in fields}
        refilled = inputs(f"{url}?{urlencode(typed)}") if typed else []
        for kind, field, value in fields + refilled:
            if value and not ISO_VALUE[kind].fullmatch(value):
                wrong.append((name, field, value))
        echoed += sum(value.startswith("2026-01-05") for _kind, _field, value in refilled)

    # then: the sweep saw the project's date inputs, prefilled ones among them, all in ISO
    assert len(found) >= 15, found
    assert found[("customers:interaction_create", "occurred_at")]
    assert sum(bool(value) for value in found.values()) >= 5, found
    assert wrong == []
    assert echoed >= 20  # the GET filters of the dashboards, lists and reports


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["2026-03-05", "2026/03/05", "2026年3月5日"])
def test_a_date_filter_round_trips_in_chinese(client, admin_user, typed):
    # given: two interactions, one inside the period and one outside it
    inside = InteractionFactory(
        subject="inside", occurred_at=dt.datetime(2026, 3, 5, 12, tzinfo=SHANGHAI)
    )
    InteractionFactory(subject="outside", occurred_at=dt.datetime(2026, 3, 9, 12, tzinfo=SHANGHAI))
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    # when: the list is filtered on that day, however the date was written
    response = client.get(reverse("customers:interactions"), {"since": typed, "until": typed})
    # then: the filter applies, and the form shows the dates back as the date picker needs them
    html = response.content.decode()
    assert inside.subject in html and "outside" not in html
    values = {name: value for _kind, name, value in _date_inputs(html)}
    assert values == {"since": "2026-03-05", "until": "2026-03-05"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_bound_value_is_read_and_shown_as_iso(language):
    class Period(forms.Form):
        on = forms.DateField(widget=IsoDateInput())
        at = forms.DateTimeField(widget=IsoDateTimeInput())
        not_a_date = forms.DateField(required=False, widget=IsoDateInput())

    with translation.override(language):
        form = Period(data={"on": "2026/12/01", "at": "2026/12/01 23:13", "not_a_date": "soon"})
        assert 'value="2026-12-01"' in str(form["on"])
        assert 'value="2026-12-01T23:13"' in str(form["at"])
        assert 'value="soon"' in str(form["not_a_date"])  # kept, so the person can correct it
        assert not form.is_valid()
        assert list(form.errors) == ["not_a_date"]
        assert form.cleaned_data["on"] == dt.date(2026, 12, 1)
        assert timezone.localtime(form.cleaned_data["at"]).hour == 23
