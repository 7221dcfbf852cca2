"""Every URL of the project, with hostile path parameters and query strings, as an admin and
as an anonymous visitor, answers below 500: bad tokens, ids and parameters are a 400 or a 404.

The URL patterns are read from the resolver, so a new page is fuzzed without being listed here.
NUL shows its worst on PostgreSQL (it refuses NUL in text): run this there too."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import django_filters
import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter
from django.utils.regex_helper import normalize
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from manyi.analytics.forms import DashboardFilterForm
from manyi.analytics.reports.forms import ReportPeriodForm
from manyi.analytics.views_behaviour import BehaviourForm
from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
from manyi.surveys.services.responding import response_save_page, response_start
from tests.factories import CustomerFactory, InteractionFactory


def _walk(patterns, prefix: str = "", ints: frozenset = frozenset()):
    """(format string such as 'surveys/%(pk)s/', its parameters, those that are integers) for
    every URL pattern, includes followed."""
    for pattern in patterns:
        converters = getattr(pattern.pattern, "converters", {})
        found = ints | {n for n, c in converters.items() if isinstance(c, IntConverter)}
        for fmt, params in normalize(pattern.pattern.regex.pattern):
            if isinstance(pattern, URLResolver):
                yield from _walk(pattern.url_patterns, prefix + fmt, frozenset(found))
            elif isinstance(pattern, URLPattern):
                yield prefix + fmt, tuple(params), frozenset(found)


PATTERNS = sorted(set(_walk(get_resolver().url_patterns)))


def _query_keys() -> list[str]:
    keys = {"page", "lang", "missing", "version", "find", "customer", "customer_pk", "next"}
    filtersets = [django_filters.FilterSet]
    while filtersets:
        cls = filtersets.pop()
        filtersets.extend(cls.__subclasses__())
        keys.update(getattr(cls, "base_filters", {}))
    for form in (DashboardFilterForm, ReportPeriodForm, BehaviourForm):
        keys.update(form.base_fields)
    return sorted(keys)


QUERY_KEYS = _query_keys()

HOSTILE = st.one_of(
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "../../etc/passwd",
            "..",
            "9" * 40,
            "-1",
            "0",
            "1e309",
            "NaN",
            "2026-02-30",
            "9999-12-31",
            "０１",  # full-width digits
            "é😀",
            "\u202e",
            "' OR 1=1 --",
            "%",
            " ",
        ]
    ),
    st.text(min_size=1, max_size=12),
)
INTS = st.one_of(st.integers(0, 3), st.integers(2**31 - 1, 2**31 + 1), st.integers(2**63, 2**80))


@pytest.fixture
def objects(analyst, admin_user):
    """One of each main kind of row, so ids sometimes exist."""
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="csat_purchase"))
    response = response_start(survey=survey, channel="link", language="en")
    response_save_page(response=response, page=1, data={"q__overall": ["4"]})
    InteractionFactory(customer=CustomerFactory())
    return survey


def _url(draw, fmt: str, params: tuple, ints: frozenset, ids: list[int]) -> str:
    values = {}
    for name in params:
        if name in ints:
            values[name] = str(draw(st.one_of(INTS, st.sampled_from(ids))))
        else:
            values[name] = quote(draw(HOSTILE), safe="")
    path = "/" + fmt % values
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), HOSTILE, max_size=3))
    return f"{path}?{urlencode(query)}" if query else path


def _fuzz(client: Client, draw, ids: list[int]) -> list[str]:
    failures = []
    for fmt, params, ints in PATTERNS:
        url = _url(draw, fmt, params, ints, ids)
        try:
            with transaction.atomic():  # a database error must not end the walk (PostgreSQL)
                status = client.get(url).status_code
        except Exception as exc:  # what would have been a 500
            failures.append(f"{url}: {type(exc).__name__}: {exc}")
            continue
        if status >= 500:
            failures.append(f"{url}: {status}")
    return failures


# One example walks every pattern (about 240 requests): a few of them keep the test to seconds.
# No shrinking: the failure message already lists every URL that failed.
FUZZ = settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_the_walk_finds_every_kind_of_url():
    formats = [fmt for fmt, _params, _ints in PATTERNS]
    assert "s/%(token)s/" in formats and "p/%(public_token)s/" in formats
    assert any(re.match(r"admin/customers/customer/%\(object_id\)s/change/", f) for f in formats)
    assert any(f.startswith("analytics/by/") for f in formats)


@FUZZ
@given(data=st.data())
def test_every_url_answers_below_500_to_an_admin(client, admin_user, objects, data):
    client.force_login(admin_user)
    ids = [objects.pk, objects.current_version.pk, admin_user.pk]
    failures = _fuzz(client, data.draw, ids)
    assert not failures, "\n".join(failures)


@FUZZ
@given(data=st.data())
def test_every_url_answers_below_500_to_a_visitor(objects, data):
    client = Client()
    failures = _fuzz(client, data.draw, [objects.pk])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "url",
    ["/s/%00/", "/p/%00/", "/s/%00/opt-out/", "/s/a%00b/", "/p/x/?lang=%00", "/?q=%00"],
)
def test_nul_in_a_respondent_url_is_not_a_server_error(client, objects, url):
    assert client.get(url).status_code in (400, 404)
    assert client.post(url, {"page": "1", "q__overall": "4\x00"}).status_code in (400, 404)


def test_nul_in_a_form_field_of_the_public_link_is_a_bad_request(client, objects):
    url = f"/p/{objects.public_token}/"
    response = client.post(url, {"page": "1", "action": "next", "q__overall": "4\x00"})
    assert response.status_code == 400


NO_TOKENS = [
    "/s/%C3%A9%F0%9F%98%80/",
    "/p/..%5C..%5Cetc/",
    "/s/x%20y/opt-out/",
    "/p/" + "a" * 65 + "/",
]


@pytest.mark.parametrize("url", NO_TOKENS)
def test_what_is_no_token_is_not_found_without_a_lookup(client, db, django_assert_num_queries, url):
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 404
    assert "surveys/respond/not_found.html" in [t.name for t in response.templates]


def test_nul_in_a_cookie_is_a_bad_request(client, objects):
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/").status_code == 400
    assert client.get(f"/p/{objects.public_token}/").status_code == 400


@pytest.mark.parametrize("value", ["9" * 25, "-1", "9999-12-31", "0001-01-01", "NaN", "é" * 300])
def test_every_page_takes_any_value_in_every_parameter(client, admin_user, objects, value):
    # given: every parameter any page reads, all at once, set to one extreme value, on every
    # page but the admin's (ids: an existing survey's, so that its pages render)
    client.force_login(admin_user)
    query = urlencode(dict.fromkeys(QUERY_KEYS, value))
    pages = [
        fmt % dict.fromkeys(params, objects.pk)
        for fmt, params, ints in PATTERNS
        if set(params) <= ints and not fmt.startswith("admin/")
    ]
    # then
    failures = []
    for page in pages:
        try:
            with transaction.atomic():
                status = client.get(f"/{page}?{query}").status_code
        except Exception as exc:  # what would have been a 500
            failures.append(f"/{page}: {type(exc).__name__}: {exc}")
            continue
        if status >= 500:
            failures.append(f"/{page}: {status}")
    assert not failures, "\n".join(failures)
