"""Walk every URL the project serves: apart from a short list of public pages, each one sends
an anonymous visitor to the login page. A new view that forgets its access check fails here."""

import re

import pytest
from django.urls import URLPattern, reverse

from manyi.core.staff_pages import url_names

# Pages meant for people who are not logged in.
PUBLIC = {
    "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "set_language", "core:healthz", "core:favicon",
    "respond:invitation", "respond:opt_out", "respond:public", "feedback:form",
}  # fmt: skip


def _arguments(pattern: URLPattern) -> dict:
    converters = pattern.pattern.converters if hasattr(pattern.pattern, "converters") else {}
    values = {"int": 1, "str": "x", "slug": "segment", "path": "x"}
    kwargs = {}
    for name, converter in converters.items():
        kind = type(converter).__name__.lower().removesuffix("converter")
        kwargs[name] = values.get(kind, "x")
    if not converters:
        for name in re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern)):
            kwargs[name] = "x"
    return kwargs


# Django's admin has its own login, tested elsewhere; url_names leaves it out.
ENDPOINTS = sorted((name, p) for name, p in url_names().items() if name not in PUBLIC)


def test_the_walk_finds_the_project_s_pages():
    names = {name for name, _p in ENDPOINTS}
    assert {"customers:list", "surveys:detail", "analytics:overview"} <= names
    assert len(names) > 50


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), ENDPOINTS, ids=[n for n, _p in ENDPOINTS])
def test_anonymous_visitors_are_sent_to_login(client, name, pattern):
    kwargs = _arguments(pattern)
    if name == "customers:export":
        kwargs = {"kind": "customers", "fmt": "csv"}
    url = reverse(name, kwargs=kwargs)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (302, 405), (name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), (name, response["Location"])


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label.startswith(
            ("customers", "surveys", "analytics", "benchmarks", "cases")
        )
        or model._meta.label in ("accounts.User", "accounts.Team")
    }


@pytest.mark.django_db
def test_a_viewer_cannot_post_to_any_page(client, viewer):
    """A viewer may read but change nothing: a POST anywhere is refused (403), meets a page
    that takes no POST (405) or an object that does not exist for them (404), or is read like
    a GET (200) — and no row anywhere is created or deleted. (An analyst posting the same
    forms creates a survey and a competitor: the check has teeth.)"""
    client.force_login(viewer)
    before = _row_counts()
    for name, pattern in ENDPOINTS:
        if name == "logout":
            continue
        kwargs = _arguments(pattern)
        if name == "customers:export":
            kwargs = {"kind": "customers", "fmt": "csv"}
        data = {"name": "changed", "title_zh": "新问卷", "blueprint": "csat_purchase"}
        response = client.post(reverse(name, kwargs=kwargs), data)
        assert response.status_code in (200, 403, 404, 405), (name, response.status_code)
    assert _row_counts() == before
