"""The audit log: append-only, searchable by administrators, purged after the retention
period, and fed by role and team changes in the admin."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.accounts.models import User
from manyi.privacy import services, tasks
from manyi.privacy.choices import AuditAction
from manyi.privacy.models import AppendOnlyError, AuditEvent
from tests.factories import CustomerFactory

START = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = START

        def __call__(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def _event(actor, action=AuditAction.VIEW, customer=None, **kwargs):
    return services.audit_record(actor=actor, action=action, customer=customer, **kwargs)


def test_events_cannot_be_changed_or_deleted_through_the_orm(admin_user):
    event = _event(admin_user)
    event.action = AuditAction.ERASE
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.ERASE)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == AuditAction.VIEW


def test_the_database_refuses_to_change_an_event(admin_user):
    event = _event(admin_user)
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET action = 'erase' WHERE id = %s", [event.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get().action == AuditAction.VIEW


def test_deleting_a_user_or_customer_leaves_their_events(admin_user, analyst):
    customer = CustomerFactory()
    customer_id, analyst_id = customer.pk, analyst.pk
    _event(analyst, customer=customer, obj=customer)
    customer.delete()
    analyst.delete()
    event = AuditEvent.objects.get()
    assert (event.actor_name, event.actor_id, event.customer_id) == (
        "analyst",
        analyst_id,
        customer_id,
    )


def test_events_older_than_the_retention_period_are_purged(admin_user, clock, settings):
    # given: one event per 100 days for 1000 days
    for _ in range(10):
        _event(admin_user)
        clock.now += dt.timedelta(days=100)
    settings.MANYI_AUDIT_RETENTION_DAYS = 365
    # when: the periodic task runs (twice: the second run has nothing left to do)
    tasks.audit_purge.call()
    assert tasks.audit_purge.call() == 0
    # then: the events of the last 365 days remain
    left = sorted(AuditEvent.objects.values_list("at", flat=True))
    assert left == [START + dt.timedelta(days=d) for d in (700, 800, 900)]
    # and 0 keeps everything
    settings.MANYI_AUDIT_RETENTION_DAYS = 0
    clock.now += dt.timedelta(days=5000)
    assert services.audit_purge() == 0 and AuditEvent.objects.count() == 3


def test_the_purge_is_a_periodic_task(settings):
    assert ("manyi.privacy.tasks.audit_purge", 86400) in settings.MANYI_PERIODIC_TASKS
    assert settings.MANYI_AUDIT_RETENTION_DAYS == 730


def test_administrators_search_the_log(client, admin_user, analyst, agent, clock):
    wang, li = CustomerFactory(name="Wang"), CustomerFactory(name="Li")
    _event(analyst, AuditAction.VIEW, wang)
    clock.now += dt.timedelta(days=3)
    _event(agent, AuditAction.REVEAL, wang)
    _event(analyst, AuditAction.EXPORT, None, detail={"export": "customers"})
    _event(agent, AuditAction.VIEW, li)
    client.force_login(admin_user)
    url = reverse("privacy:audit")

    def listed(**params):
        page = client.get(url, params)
        assert page.status_code == 200
        return [(e.actor_name, e.action, e.customer_id) for e in page.context["page"]]

    assert len(listed()) == 4
    assert listed(actor=analyst.pk) == [("analyst", "export", None), ("analyst", "view", wang.pk)]
    assert listed(action="reveal") == [("agent_east", "reveal", wang.pk)]
    assert listed(customer=wang.pk) == [
        ("agent_east", "reveal", wang.pk),
        ("analyst", "view", wang.pk),
    ]
    day = timezone.localdate(START)
    assert listed(until=day.isoformat()) == [("analyst", "view", wang.pk)]
    assert len(listed(since=(day + dt.timedelta(days=1)).isoformat())) == 3


def test_the_log_page_is_paginated_and_in_chinese(client, admin_user, settings):
    settings.MANYI_PAGE_SIZE = 5
    for _ in range(12):
        _event(admin_user)
    client.force_login(admin_user)
    page = client.get(reverse("privacy:audit"), {"page": 3}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert len(page.context["page"]) == 2
    html = page.content.decode()
    assert "审计日志" in html and 'name="viewport"' in html


def test_role_and_team_changes_in_the_admin_are_logged(client, admin_user, analyst, team_east):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[analyst.pk])
    data = {
        "username": analyst.username,
        "first_name": "",
        "last_name": "",
        "email": analyst.email,
        "role": Role.AGENT,
        "team": team_east.pk,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=analyst.pk).role == Role.AGENT
    event = AuditEvent.objects.get(action=AuditAction.ACCESS)
    assert event.actor == admin_user and event.object_id == str(analyst.pk)
    assert event.detail["before"] == {"role": "analyst", "team": None, "is_active": True}
    assert event.detail["after"] == {"role": "agent", "team": "East", "is_active": True}
    # saving again without a change adds nothing
    client.post(url, {**data, "role": Role.AGENT})
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS).count() == 1


def test_interactions_and_responses_exports_are_logged(client, analyst):
    client.force_login(analyst)
    client.get(reverse("customers:export", args=["interactions", "xlsx"]), {"kind": "complaint"})
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail == {
        "export": "interactions",
        "format": "xlsx",
        "filters": {"kind": "complaint"},
        "contacts_masked": True,
    }


def test_the_admin_shows_the_log_read_only(client, admin_user):
    event = _event(admin_user, AuditAction.EXPORT, detail={"export": "customers"})
    client.force_login(admin_user)
    assert client.get(reverse("admin:privacy_auditevent_changelist")).status_code == 200
    change = reverse("admin:privacy_auditevent_change", args=[event.pk])
    assert client.get(change).status_code == 200  # viewable
    client.post(change, {"action": "erase"})
    assert client.get(reverse("admin:privacy_auditevent_add")).status_code == 403
    assert (
        client.post(reverse("admin:privacy_auditevent_delete", args=[event.pk])).status_code == 403
    )
    assert AuditEvent.objects.get().action == AuditAction.EXPORT


def test_recording_and_changing_an_interaction_is_logged_without_its_text(client, agent, team_east):
    # given an agent and a customer of their team
    customer = CustomerFactory(team=team_east)
    client.force_login(agent)
    data = {
        "kind": "complaint",
        "channel": "phone",
        "occurred_at": "2026-11-20T10:30",
        "subject": "配送太慢",
        "content": "订单一周还没到，电话 13812345678",
        "outcome": "open",
        "team": str(team_east.pk),
    }
    # when they record an interaction, then change its text
    client.post(reverse("customers:interaction_create", args=[customer.pk]), data)
    interaction = customer.interactions.get()
    edited = {**data, "content": "已联系客户"}
    client.post(reverse("customers:interaction_edit", args=[interaction.pk]), edited)
    # then both are in the log, naming the changed field but never its text
    created, changed = AuditEvent.objects.filter(action=AuditAction.CHANGE).order_by("pk")
    assert (created.object_type, created.object_id, created.customer_id) == (
        "interaction",
        str(interaction.pk),
        customer.pk,
    )
    assert created.detail == {"created": True}
    assert "content" in changed.detail["fields"]
    assert "subject" not in changed.detail["fields"]
    assert created.actor == changed.actor == agent
    assert "13812345678" not in str(list(AuditEvent.objects.values()))
