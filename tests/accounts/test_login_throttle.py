"""Login throttling (django-axes): a user name, or an address, with too many failed logins is
locked out for a while, on the site's login page and the admin's alike, with a translated page;
an admin unlocks it at once. Respondent links and token look-ups are rate-limited per address."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from manyi.accounts.choices import Role
from manyi.surveys.services import design
from tests.factories import InvitationFactory, UserFactory

PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    # The test settings turn axes off (the test client's login() has no request); on here.
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


def _login(username, password, ip, url=None, lang="en"):
    client = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=lang)
    response = client.post(url or reverse("login"), {"username": username, "password": password})
    return client, response


def _logged_in(client):
    return SESSION_KEY in client.session


def test_a_user_is_locked_out_after_the_limit_whatever_the_address(alice):
    # given: three wrong passwords for alice, each from another address; the third locks
    statuses = [_login("alice", "wrong", f"10.0.0.{n}")[1].status_code for n in range(3)]
    assert statuses == [200, 200, 429]  # the login form with its error, then the lockout
    # when: the right password comes from yet another address
    client, response = _login("alice", PASSWORD, "10.0.1.1")
    # then: refused with the lockout page, in the site's layout
    assert response.status_code == 429
    assert not _logged_in(client)
    html = response.content.decode()
    assert "Login temporarily locked" in html
    assert "after 3 failed attempts" in html and "15 minutes" in html
    assert 'class="topbar"' in html  # base.html, not axes' bare text


def test_an_address_is_locked_out_after_the_limit_whatever_the_user(alice):
    # given: three failures from one address, each for another user name
    for name in ("bob", "carol", "dave"):
        _login(name, "wrong", "10.9.9.9")
    # when: alice logs in correctly from that address
    client, response = _login("alice", PASSWORD, "10.9.9.9")
    # then: refused; from another address she gets in
    assert response.status_code == 429
    assert not _logged_in(client)
    client, response = _login("alice", PASSWORD, "10.8.8.8")
    assert response.status_code == 302 and _logged_in(client)


def test_under_the_limit_a_right_password_logs_in(alice):
    for n in range(2):
        _login("alice", "wrong", f"10.0.0.{n}")
    client, response = _login("alice", PASSWORD, "10.0.0.9")
    assert response.status_code == 302 and _logged_in(client)


def test_the_admin_login_is_locked_out_too(db):
    UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    for n in range(3):
        _login("root", "wrong", f"10.1.0.{n}", url=admin_login)
    client, response = _login("root", PASSWORD, "10.1.1.1", url=admin_login)
    assert response.status_code == 429
    assert not _logged_in(client)


def test_the_lockout_message_is_translated(alice):
    for n in range(3):
        _login("alice", "wrong", f"10.0.0.{n}")
    _client, response = _login("alice", PASSWORD, "10.0.1.1", lang="zh-hans")
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录暂时被锁定" in html
    assert "Login temporarily locked" not in html


def test_an_admin_unlocks_a_locked_user_in_the_admin(alice):
    # given: alice is locked out
    for n in range(3):
        _login("alice", "wrong", f"10.0.0.{n}")
    assert _login("alice", PASSWORD, "10.0.1.1")[1].status_code == 429
    # when: an admin deletes her access attempts in the admin (Axes -> Access attempts)
    from axes.models import AccessAttempt

    admin = UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    staff = Client()
    staff.force_login(admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert staff.get(changelist, {"q": "alice"}).status_code == 200
    ids = list(AccessAttempt.objects.filter(username="alice").values_list("pk", flat=True))
    assert ids
    response = staff.post(
        changelist,
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    # then: she logs in at once
    client, response = _login("alice", PASSWORD, "10.0.1.1")
    assert response.status_code == 302 and _logged_in(client)


def test_force_login_is_not_affected(alice):
    client = Client()
    client.force_login(alice)
    assert client.get(reverse("core:home")).status_code == 200


# Respondent links ----------------------------------------------------------------------------


@pytest.fixture
def csat(analyst):
    return design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )


@pytest.fixture
def low_limit(settings):
    settings.MANYI_RESPOND_RATE_PER_MINUTE = 5


def test_public_link_answers_429_past_the_limit(csat, low_limit):
    url = reverse("respond:public", args=[csat.public_token])
    client = Client(REMOTE_ADDR="10.2.0.1")
    # under the limit: the page as usual
    assert [client.get(url).status_code for _ in range(5)] == [200] * 5
    # past it: the friendly 429 page in the respondent layout, without script
    response = client.get(url)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "Too many requests" in html and "<script" not in html
    assert '<meta name="viewport"' in html
    # another address is not affected
    assert Client(REMOTE_ADDR="10.2.0.2").get(url).status_code == 200


def test_guessing_tokens_is_limited_across_respondent_urls(csat, low_limit):
    # a guesser walks unknown tokens on both kinds of link: 404 until the limit, then 429
    client = Client(REMOTE_ADDR="10.3.0.1")
    statuses = [client.get(f"/s/guess{n:04d}abcdefgh/").status_code for n in range(3)]
    statuses += [client.get(f"/p/guess{n:04d}abcdefgh/").status_code for n in range(2)]
    assert statuses == [404] * 5
    assert client.get("/p/guess9999abcdefgh/").status_code == 429
    assert client.get("/s/guess9999abcdefgh/opt-out/").status_code == 429


def test_invitation_link_under_the_default_limit_stays_200(csat, settings):
    # a respondent going through a survey makes far fewer than 120 requests a minute
    assert settings.MANYI_RESPOND_RATE_PER_MINUTE == 120
    invitation = InvitationFactory(survey=csat)
    url = reverse("respond:invitation", args=[invitation.token])
    client = Client(REMOTE_ADDR="10.4.0.1")
    assert {client.get(url).status_code for _ in range(30)} == {200}


def test_the_429_page_is_translated(csat, low_limit):
    url = reverse("respond:public", args=[csat.public_token])
    client = Client(REMOTE_ADDR="10.5.0.1", HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(5):
        client.get(url)
    response = client.get(url)
    assert response.status_code == 429
    assert "请求过多" in response.content.decode()


def test_forwarded_address_counts_only_behind_a_trusted_proxy(csat, low_limit, settings):
    url = reverse("respond:public", args=[csat.public_token])
    # without a trusted proxy, a forged X-Forwarded-For does not escape the limit
    for n in range(6):
        status = Client(REMOTE_ADDR="10.6.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}").get(url)
    assert status.status_code == 429
    # behind one proxy, each client address counts on its own
    settings.MANYI_TRUSTED_PROXY_COUNT = 1
    for n in range(6):
        proxied = Client(REMOTE_ADDR="10.6.0.2", HTTP_X_FORWARDED_FOR=f"2.2.2.{n}").get(url)
        assert proxied.status_code == 200


def test_a_forged_forwarded_address_falls_back_to_the_connection(alice, settings):
    # behind a proxy, a header that is not an address counts as the proxy's own address
    settings.MANYI_TRUSTED_PROXY_COUNT = 1
    for _ in range(3):
        client = Client(REMOTE_ADDR="10.7.0.1", HTTP_X_FORWARDED_FOR="<script>, not-an-ip")
        client.post(reverse("login"), {"username": "mallory", "password": "wrong"})
    client, response = _login("alice", PASSWORD, "10.7.0.1")
    assert response.status_code == 429
