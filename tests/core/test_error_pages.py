"""Issue 15, item 9: 400, 403, 404, 500 and the CSRF failure use the site's layout, are
translated, and offer a way back; links a role cannot follow are not shown."""

import pytest
from django.test import Client
from django.urls import path, reverse

from manyi import urls as site_urls


def _boom(request):
    raise RuntimeError("a bug")


def _bad(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("tampered")


urlpatterns = [
    *site_urls.urlpatterns,
    path("test-boom/", _boom),
    path("test-bad/", _bad),
]
handler500 = site_urls.handler500

TEXTS = {
    "en": {
        400: "Bad request",
        403: "have access to this page",
        404: "Page not found",
        500: "Something went wrong",
        "csrf": "The form expired",
        "home": "Go to the start page",
    },
    "zh-hans": {
        400: "请求有误",
        403: "您无权访问此页面",
        404: "页面不存在",
        500: "出错了",
        "csrf": "表单已过期",
        "home": "返回首页",
    },
}


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def _get(language, url, user=None):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _in_layout(html: str, language: str) -> None:
    assert f'<html lang="{language}">' in html
    assert 'class="topbar"' in html
    assert "/static/manyi/app.css" in html
    assert TEXTS[language]["home"] in html
    assert 'href="/"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_error_pages_use_the_layout_and_are_translated(production_like, agent, language):
    texts = TEXTS[language]
    # 403: an agent opens the scheduled reports
    page = _get(language, reverse("reports:schedules"), agent)
    assert page.status_code == 403
    html = page.content.decode()
    _in_layout(html, language)
    assert texts[403] in html
    assert 'class="who"' in html  # the user is still logged in, with the menu
    # 404, logged in and not
    for user in (agent, None):
        page = _get(language, "/no-such-page/", user)
        assert page.status_code == 404
        _in_layout(page.content.decode(), language)
        assert texts[404] in page.content.decode()
    # 400
    page = _get(language, "/test-bad/", agent)
    assert page.status_code == 400
    _in_layout(page.content.decode(), language)
    assert texts[400] in page.content.decode()
    # 500: the layout, without anything that needs the database
    page = _get(language, "/test-boom/", agent)
    assert page.status_code == 500
    html = page.content.decode()
    _in_layout(html, language)
    assert texts[500] in html
    assert 'class="who"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_csrf_failure_page(production_like, agent, language):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(agent)
    page = client.post(reverse("logout"))
    assert page.status_code == 403
    html = page.content.decode()
    _in_layout(html, language)
    assert TEXTS[language]["csrf"] in html


@pytest.mark.django_db
def test_the_500_page_needs_no_database(production_like, django_assert_num_queries):
    from manyi.core.views import server_error

    with django_assert_num_queries(0):
        page = server_error(None)
    assert page.status_code == 500
    assert "Something went wrong" in page.content.decode()


@pytest.mark.django_db
def test_agents_are_not_shown_the_scheduled_reports_link(client, agent, analyst):
    client.force_login(agent)
    html = client.get(reverse("analytics:overview")).content.decode()
    assert reverse("reports:schedules") not in html
    client.force_login(analyst)
    html = client.get(reverse("analytics:overview")).content.decode()
    assert reverse("reports:schedules") in html
