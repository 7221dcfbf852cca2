"""Every role against every record endpoint: the access matrix of the issue, enforced."""

import pytest
from django.urls import reverse

from manyi.accounts.choices import Role
from tests.factories import CustomerFactory, InteractionFactory

ALL = {Role.ADMIN, Role.ANALYST, Role.AGENT, Role.VIEWER}
EDITORS = {Role.ADMIN, Role.ANALYST, Role.AGENT}


@pytest.fixture
def records(team_east, team_west):
    own = CustomerFactory(team=team_east)
    other = CustomerFactory(team=team_west)
    return {
        "own": own,
        "other": other,
        "own_interaction": InteractionFactory(customer=own, team=team_east),
        "other_interaction": InteractionFactory(customer=other, team=team_west),
    }


# (url name, records key for the argument, roles that get 200; everyone else gets `denied`)
READ_PAGES = [
    ("core:home", None, ALL, None),
    ("customers:list", None, ALL, None),
    ("customers:interactions", None, ALL, None),
    ("customers:detail", "own", ALL, None),
    ("customers:detail", "other", ALL - {Role.AGENT}, 404),
    ("customers:create", None, EDITORS, 403),
    ("customers:edit", "own", EDITORS, 403),
    ("customers:edit", "other", EDITORS - {Role.AGENT}, None),
    ("customers:interaction_create", "own", EDITORS, 403),
    ("customers:interaction_create", "other", EDITORS - {Role.AGENT}, None),
    ("customers:interaction_edit", "own_interaction", EDITORS, 403),
    ("customers:interaction_edit", "other_interaction", EDITORS - {Role.AGENT}, None),
]


def _url(name, key, records):
    return reverse(name, args=[records[key].pk]) if key else reverse(name)


@pytest.mark.parametrize(("name", "key", "allowed", "denied"), READ_PAGES)
def test_get_each_page_as_each_role(client, users_by_role, records, name, key, allowed, denied):
    url = _url(name, key, records)
    for role, user in users_by_role.items():
        client.force_login(user)
        status = client.get(url).status_code
        if role in allowed:
            assert status == 200, (role, url)
        else:
            # A viewer is refused an edit page (403); an agent looking outside their team is
            # told the record does not exist (404), which leaks nothing.
            expected = denied or (404 if role == Role.AGENT else 403)
            assert status == expected, (role, url, status)


@pytest.mark.parametrize(("name", "key", "allowed", "denied"), READ_PAGES)
def test_anonymous_is_sent_to_login(client, records, name, key, allowed, denied):
    response = client.get(_url(name, key, records))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_viewer_cannot_change_anything_by_post(client, viewer, records):
    client.force_login(viewer)
    own = records["own"]
    posts = [
        reverse("customers:create"),
        reverse("customers:edit", args=[own.pk]),
        reverse("customers:interaction_create", args=[own.pk]),
        reverse("customers:interaction_edit", args=[records["own_interaction"].pk]),
    ]
    for url in posts:
        assert client.post(url, {"name": "Changed"}).status_code == 403
    own.refresh_from_db()
    assert own.name != "Changed"


def test_agent_cannot_edit_another_teams_customer_by_post(client, agent, records):
    client.force_login(agent)
    other = records["other"]
    response = client.post(reverse("customers:edit", args=[other.pk]), {"name": "Hijacked"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name != "Hijacked"


def test_only_administrators_reach_django_admin(client, users_by_role):
    for role, user in users_by_role.items():
        client.force_login(user)
        response = client.get(reverse("admin:customers_customer_changelist"))
        assert response.status_code == (200 if role == Role.ADMIN else 302), role


def test_agent_lists_show_only_their_teams_rows(client, agent, records):
    client.force_login(agent)
    customers = client.get(reverse("customers:list")).content.decode()
    assert records["own"].name in customers
    assert records["other"].name not in customers
    interactions = client.get(reverse("customers:interactions")).content.decode()
    assert records["own_interaction"].subject in interactions
    assert records["other_interaction"].subject not in interactions
