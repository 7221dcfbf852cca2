import pytest

from manyi.accounts import access
from manyi.accounts.access import Action
from manyi.accounts.choices import Role
from manyi.customers.models import Customer, Interaction
from tests.factories import CustomerFactory, InteractionFactory, UserFactory


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, set(Action)),
        (
            Role.ANALYST,
            set(Action)
            - {
                Action.ADMINISTER,
                Action.SEE_CONTACTS,
                Action.REVEAL_CONTACTS,
                Action.MANAGE_PERSONAL_DATA,
            },
        ),
        (
            Role.AGENT,
            {
                Action.VIEW_RECORDS,
                Action.EDIT_RECORDS,
                Action.ENTER_RESPONSES,
                Action.REVEAL_CONTACTS,
            },
        ),
        (Role.VIEWER, {Action.VIEW_RECORDS, Action.VIEW_IMPROVEMENTS}),
    ],
)
def test_each_role_may_do_exactly_its_actions(db, team_east, role, allowed):
    user = UserFactory(role=role, team=team_east)
    assert {a for a in Action if access.can(user, a)} == allowed


def test_inactive_and_anonymous_users_may_do_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    inactive = UserFactory(role=Role.ADMIN, is_active=False)
    for user in (inactive, AnonymousUser(), None):
        assert not any(access.can(user, a) for a in Action)
        assert access.read_scope(user).nothing


def test_agent_sees_only_customers_of_their_team(agent, team_east, team_west, viewer):
    # given
    own = CustomerFactory(team=team_east)
    other = CustomerFactory(team=team_west)
    unassigned = CustomerFactory(team=None)
    # then
    assert list(Customer.objects.visible_to(agent)) == [own]
    assert list(Customer.objects.editable_by(agent)) == [own]
    assert set(Customer.objects.visible_to(viewer)) == {own, other, unassigned}
    assert not Customer.objects.editable_by(viewer).exists()


def test_agent_without_team_sees_nothing(db):
    loner = UserFactory(role=Role.AGENT, team=None)
    CustomerFactory()
    assert not Customer.objects.visible_to(loner).exists()


def test_agent_sees_interactions_of_own_customers_and_those_the_team_handled(
    agent, team_east, team_west
):
    # given
    own_customer = CustomerFactory(team=team_east)
    foreign_customer = CustomerFactory(team=team_west)
    about_own = InteractionFactory(customer=own_customer, team=team_west)
    handled_by_team = InteractionFactory(customer=foreign_customer, team=team_east)
    InteractionFactory(customer=foreign_customer, team=team_west)
    # when
    visible = set(Interaction.objects.visible_to(agent))
    # then
    assert visible == {about_own, handled_by_team}


def test_role_drives_admin_flags(db):
    user = UserFactory(role=Role.ADMIN)
    assert user.is_staff and user.is_superuser
    user.role = Role.ANALYST
    user.save()
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


def test_createsuperuser_makes_an_administrator(db):
    from manyi.accounts.models import User

    user = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    assert user.role == Role.ADMIN


def test_password_change_is_in_the_site_layout(client, agent):
    from django.urls import reverse

    client.force_login(agent)
    page = client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="topbar"' in html and "密码修改" in html
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-for-tests-1",
            "new_password1": "a-long-new-pass-2026",
            "new_password2": "a-long-new-pass-2026",
        },
    )
    assert response.status_code == 302
    done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert 'class="topbar"' in done.content.decode()
    agent.refresh_from_db()
    assert agent.check_password("a-long-new-pass-2026")
