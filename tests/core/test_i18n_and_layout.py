import pytest
from django.contrib.staticfiles import finders
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
        expected = {"home", "customers", "interactions", "cases", "surveys", "analytics"}
        if role in {"admin", "analyst"}:
            expected.add("imports")
        if role == "admin":
            expected.update({"admin", "audit"})
        if role in {"admin", "analyst", "viewer"}:
            expected.add("improvement")
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


def test_every_page_has_an_icon_and_favicon_ico_finds_it(client, analyst):
    # given a logged-in user on a staff page
    client.force_login(analyst)
    # when the page and the browser's default /favicon.ico are fetched
    page = client.get("/").content.decode()
    icon = client.get("/favicon.ico")
    # then the page links the icon and /favicon.ico leads to the same static file
    assert 'rel="icon" href="/static/manyi/favicon.svg"' in page
    assert icon.status_code == 301
    assert icon["Location"] == "/static/manyi/favicon.svg"
    assert finders.find("manyi/favicon.svg")


def test_chinese_admin_names_the_task_tables_in_chinese(client, admin_user, chinese_default):
    # given an administrator whose browser asks for Chinese
    client.force_login(admin_user)
    # when the admin index is shown
    page = client.get("/admin/", headers={"accept-language": "zh-hans"}).content.decode()
    # then the background-task app and its table have Chinese names
    assert "后台任务队列" in page
    assert "Tasks Database Backend" not in page
    assert "Task Results" not in page


def test_every_translate_tag_of_the_templates_is_translated_percent_signs_too():
    """A `{% translate %}` literal is looked up with its % signs doubled: a catalogue entry
    written with single ones is never found, and the page shows English (it happened to the
    overview's note on shaded bands)."""
    import re
    from pathlib import Path

    from django.template import Context, Template
    from django.utils import translation

    import manyi

    literal = re.compile(r"""\{%\s*translate\s+(["'])(.+?)\1\s*(?:context\s+(["']).+?\3\s*)?%\}""")
    untranslated = []
    for path in Path(manyi.__file__).parent.rglob("templates/**/*.html"):
        for match in literal.finditer(path.read_text()):
            tag = match.group(0)
            english = Template("{% load i18n %}" + tag).render(Context())
            with translation.override("zh-hans"):
                chinese = Template("{% load i18n %}" + tag).render(Context())
            if chinese == english and re.search(r"[a-z]{3}", english):
                untranslated.append(f"{path.name}: {english}")
    assert untranslated == [], "\n".join(untranslated)
