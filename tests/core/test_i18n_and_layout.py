import pytest
from django.urls import reverse


@pytest.fixture
def chinese_default(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_language_follows_the_browser(client, analyst, chinese_default):
    client.force_login(analyst)
    english = client.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    chinese = client.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "<h1>Customers</h1>" in english.content.decode()
    assert "<h1>客户</h1>" in chinese.content.decode()
    assert '<html lang="zh-hans">' in chinese.content.decode()


def test_chinese_is_the_default_without_a_browser_preference(client, analyst, chinese_default):
    client.force_login(analyst)
    assert "<h1>客户</h1>" in client.get(reverse("customers:list")).content.decode()


def test_language_can_be_switched_and_sticks(client, analyst, chinese_default):
    client.force_login(analyst)
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("customers:list")}
    )
    assert response.status_code == 302
    page = client.get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "<h1>Customers</h1>" in page


def test_menu_offers_only_what_the_role_may_open(client, users_by_role):
    for role, user in users_by_role.items():
        client.force_login(user)
        keys = {item["key"] for item in client.get(reverse("core:home")).context["nav_items"]}
        expected = {"home", "customers", "interactions", "surveys", "analytics"}
        if role in {"admin", "analyst"}:
            expected.add("imports")
        if role == "admin":
            expected.add("admin")
        assert keys == expected, role


def test_login_page_and_login(client, analyst):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "analyst", "password": "pw-for-tests-1"})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")


def test_pages_need_no_outside_resources(client, analyst):
    client.force_login(analyst)
    page = client.get(reverse("customers:list")).content.decode()
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page


def test_healthz_answers_with_the_database(client, db):
    assert client.get(reverse("core:healthz")).json() == {"status": "ok"}
