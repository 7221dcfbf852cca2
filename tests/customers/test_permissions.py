"""Every role against every record endpoint: the access matrix of the issue, enforced."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from manyi.accounts.choices import Role
from manyi.customers.importing import import_job_create
from tests.factories import ContactPointFactory, CustomerFactory, InteractionFactory

ALL = {Role.ADMIN, Role.ANALYST, Role.AGENT, Role.VIEWER}
EDITORS = {Role.ADMIN, Role.ANALYST, Role.AGENT}


@pytest.fixture
def records(team_east, team_west, analyst):
    own = CustomerFactory(team=team_east)
    other = CustomerFactory(team=team_west)
    upload = SimpleUploadedFile("people.csv", b"external_id,name\nC1,Ann\n")
    return {
        "own": own,
        "other": other,
        "own_interaction": InteractionFactory(customer=own, team=team_east),
        "other_interaction": InteractionFactory(customer=other, team=team_west),
        # uploaded by the analyst: only they and administrators see it
        "import": import_job_create(user=analyst, kind="customers", uploaded_file=upload),
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
    ("customers:import_list", None, {Role.ADMIN, Role.ANALYST}, 403),
    ("customers:import_detail", "import", {Role.ADMIN, Role.ANALYST}, 403),
    ("customers:import_status", "import", {Role.ADMIN, Role.ANALYST}, 403),
    ("customers:import_errors", "import", {Role.ADMIN, Role.ANALYST}, 403),
    ("customers:import_file", "import", {Role.ADMIN, Role.ANALYST}, 403),
    # personal data (privacy): administrators only
    ("privacy:audit", None, {Role.ADMIN}, 403),
    ("privacy:customer_erase", "own", {Role.ADMIN}, 403),
    ("privacy:customer_erase", "other", {Role.ADMIN}, 403),
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


@pytest.mark.parametrize("fmt", ["json", "zip"])
def test_only_administrators_export_one_customer_s_data(client, users_by_role, records, fmt):
    url = reverse("privacy:customer_export", args=[records["own"].pk, fmt])
    for role, user in users_by_role.items():
        client.force_login(user)
        assert client.get(url).status_code == (200 if role == Role.ADMIN else 403), role


def test_reveal_a_contact_as_each_role(client, users_by_role, records):
    """A POST: administrators (who see everything anyway) and agents of the customer's team."""
    own = ContactPointFactory(customer=records["own"])
    other = ContactPointFactory(customer=records["other"])
    expected = {
        Role.ADMIN: (302, 302),
        Role.ANALYST: (403, 403),
        Role.AGENT: (302, 404),
        Role.VIEWER: (403, 403),
    }
    for role, user in users_by_role.items():
        client.force_login(user)
        statuses = tuple(
            client.post(reverse("privacy:contact_reveal", args=[c.pk])).status_code
            for c in (own, other)
        )
        assert statuses == expected[role], role
        assert client.get(reverse("privacy:contact_reveal", args=[own.pk])).status_code == 405
