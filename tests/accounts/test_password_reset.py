"""Password reset: the page answers alike for known and unknown addresses (the look-up and the
mail happen in a task), the mail is sent by that task, and the pages are the site's own."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.com")


@pytest.fixture
def queued(settings):
    """Tasks are only recorded, not run: what the request itself does."""
    from django_tasks import default_task_backend

    settings.TASKS = DUMMY
    default_task_backend.clear()
    yield default_task_backend.results
    default_task_backend.clear()


def _without_csrf(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())


def _ask(client, email):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def test_the_request_sends_no_mail_and_enqueues_the_same_task_for_any_address(alice, queued):
    # when: a reset is asked for a known and for an unknown address
    known = _ask(Client(), "alice@example.com")
    unknown = _ask(Client(), "nobody@example.com")
    # then: no mail went out during either request: both only enqueued the task
    assert mail.outbox == []
    from manyi.accounts.tasks import password_reset_send

    assert [r.task.func for r in queued] == [password_reset_send.func] * 2
    assert [r.kwargs["email"] for r in queued] == ["alice@example.com", "nobody@example.com"]
    # and the two answers are the same page
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert _without_csrf(known) == _without_csrf(unknown)


def test_the_task_sends_a_working_link_to_a_known_address(alice):
    # given: tasks run at once (ImmediateBackend, as in the test settings)
    # when
    _ask(Client(), "alice@example.com")
    # then: one mail, to alice, with a link that sets a new password
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    message = mail.outbox[0]
    assert "alice" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Set a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-fresh-Passw0rd", "new_password2": "a-fresh-Passw0rd"},
        follow=True,
    )
    assert "Password set" in done.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("a-fresh-Passw0rd")


def test_the_task_sends_nothing_for_an_unknown_address(alice):
    _ask(Client(), "nobody@example.com")
    assert mail.outbox == []


def test_the_mail_is_in_the_language_of_the_request(alice):
    _ask(Client(HTTP_ACCEPT_LANGUAGE="zh-hans"), "alice@example.com")
    assert "重置密码" in mail.outbox[0].subject
    assert "要设置新密码" in mail.outbox[0].body


def test_the_login_page_links_to_the_reset_page(db):
    html = Client().get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in html


@pytest.mark.parametrize(
    ("name", "english", "chinese"),
    [
        ("password_reset", "Reset your password", "重置密码"),
        ("password_reset_done", "Check your e-mail", "请查收邮件"),
        ("password_reset_complete", "Password set", "密码已设置"),
    ],
)
def test_reset_pages_use_the_site_layout_in_both_languages(db, name, english, chinese):
    for lang, text in (("en", english), ("zh-hans", chinese)):
        html = Client(HTTP_ACCEPT_LANGUAGE=lang).get(reverse(name)).content.decode()
        assert text in html
        assert 'class="topbar"' in html  # base.html, not the admin's templates


def test_a_bad_reset_link_says_so_in_the_site_layout(db):
    html = Client().get("/accounts/reset/MQ/bad-token/", follow=True).content.decode()
    assert "This link is no longer valid" in html and 'class="topbar"' in html
