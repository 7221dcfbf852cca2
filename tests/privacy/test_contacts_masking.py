"""Contact details are masked for every role but administrators; revealing one is an explicit,
logged action for whoever may reveal it (an agent, for a customer of their team)."""

import csv
import io

import pytest
from django.urls import reverse

from manyi.accounts.choices import Role
from manyi.customers.models import ContactPoint
from manyi.privacy.choices import AuditAction
from manyi.privacy.models import AuditEvent
from manyi.surveys.models import Distribution
from manyi.surveys.services import design
from tests.factories import ContactPointFactory, CustomerFactory, InvitationFactory

PHONE = "13812345678"
EMAIL = "zhang@example.com"


@pytest.fixture
def zhang(team_east):
    customer = CustomerFactory(name="Zhang San", team=team_east)
    ContactPointFactory(customer=customer, kind="phone", value=PHONE)
    ContactPointFactory(customer=customer, kind="email", value=EMAIL, is_primary=True)
    return customer


def _phone(customer):
    return ContactPoint.objects.get(customer=customer, kind="phone")


def test_the_profile_masks_contacts_for_every_role_but_administrators(client, users_by_role, zhang):
    for role, user in users_by_role.items():
        client.force_login(user)
        page = client.get(reverse("customers:detail", args=[zhang.pk])).content.decode()
        if role == Role.ADMIN:
            assert PHONE in page and EMAIL in page, role
        else:
            assert PHONE not in page and EMAIL not in page, role
            assert "138****5678" in page and "z***@example.com" in page, role
        # only an agent of the customer's team is offered "Reveal"
        offered = reverse("privacy:contact_reveal", args=[_phone(zhang).pk]) in page
        assert offered == (role == Role.AGENT), role


def test_every_profile_view_is_in_the_audit_log(client, analyst, zhang):
    client.force_login(analyst)
    client.get(reverse("customers:detail", args=[zhang.pk]), REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor, event.customer_id, event.ip) == (analyst, zhang.pk, "203.0.113.9")


def test_an_agent_reveals_a_phone_number_and_it_is_logged(client, agent, zhang):
    client.force_login(agent)
    phone = _phone(zhang)
    # when
    response = client.post(reverse("privacy:contact_reveal", args=[phone.pk]))
    # then: back on the profile, the phone in full and the e-mail still masked
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert PHONE in page and EMAIL not in page
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert (event.actor, event.customer_id, event.object_id) == (agent, zhang.pk, str(phone.pk))
    assert event.detail == {"kind": "phone"}
    assert PHONE not in str(event.detail)  # the log never holds the value


def test_reveal_is_a_post_for_permitted_roles_and_team_only(
    client, analyst, viewer, agent_west, zhang
):
    url = reverse("privacy:contact_reveal", args=[_phone(zhang).pk])
    client.force_login(agent_west)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 404  # another team's customer
    for user in (analyst, viewer):
        client.force_login(user)
        assert client.post(url).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_the_customers_export_is_masked_unless_administrator(client, admin_user, analyst, zhang):
    def exported(user):
        client.force_login(user)
        response = client.get(reverse("customers:export", args=["customers", "csv"]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    (row,) = exported(analyst)
    assert PHONE not in str(row) and EMAIL not in str(row)
    assert "138****5678" in row.values() and "z***@example.com" in row.values()
    (row,) = exported(admin_user)
    assert PHONE in row.values() and EMAIL in row.values()
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("pk")
    assert [(e.actor, e.detail["export"], e.detail["contacts_masked"]) for e in events] == [
        (analyst, "customers", True),
        (admin_user, "customers", False),
    ]


def test_the_edit_form_masks_saved_contacts_and_keeps_them(client, agent, zhang):
    client.force_login(agent)
    url = reverse("customers:edit", args=[zhang.pk])
    page = client.get(url).content.decode()
    assert PHONE not in page and EMAIL not in page
    assert "138****5678" in page
    # when the agent saves the form (with its masked values, or tampered ones)
    response = client.get(url)
    data = _form_data(response)
    data["notes"] = "Prefers mornings"
    for key in list(data):
        if key.endswith("-value") and data[key]:
            data[key] = "138****5678"
    response = client.post(url, data)
    # then: saved, and the stored contact details are unchanged
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(zhang.contacts.values_list("value", flat=True)) == {PHONE, EMAIL}
    event = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert event.customer_id == zhang.pk and "notes" in event.detail["fields"]


def _form_data(response) -> dict:
    """The values a browser would send back from the page's form."""
    form = response.context["form"]
    contacts = response.context["contacts"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    management = contacts.management_form
    for name in management.fields:
        data[management.add_prefix(name)] = str(management[name].value())
    for cform in contacts.forms:
        for name in cform.fields:
            value = cform[name].value()
            if value is None or value is False:
                continue
            data[cform.add_prefix(name)] = str(value)
    return data


def test_invitation_addresses_are_masked_for_analysts(client, admin_user, analyst, zhang):
    survey = design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    invitation = InvitationFactory(survey=survey, customer=zhang, address=EMAIL)
    distribution = Distribution.objects.create(
        survey=survey, channel="email", created_by=analyst, seed=1
    )
    invitation.distribution = distribution
    invitation.save()
    url = reverse("surveys:distribution_detail", args=[distribution.pk])
    client.force_login(analyst)
    page = client.get(url).content.decode()
    assert EMAIL not in page and "z***@example.com" in page
    client.force_login(admin_user)
    assert EMAIL in client.get(url).content.decode()


def test_contact_details_typed_in_open_answers_are_masked_for_analysts(
    client, admin_user, analyst, zhang, monkeypatch
):
    # given: a response whose open answer holds a phone number and an e-mail address
    from tests.privacy.test_retention import answer

    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )
    response = answer(survey, 1, customer=zhang, why_low=f"Call me: {PHONE} or {EMAIL}")
    detail = reverse("surveys:response_detail", args=[response.pk])
    export = reverse("surveys:responses_export", args=[survey.pk, "csv"])

    def seen(user):
        client.force_login(user)
        page = client.get(detail).content.decode()
        text = b"".join(client.get(export).streaming_content).decode("utf-8-sig")
        return page, text

    # then: masked on the page and in the export for an analyst
    for shown in seen(analyst):
        assert PHONE not in shown and EMAIL not in shown
        assert "Call me: 138****5678 or z***@example.com" in shown
    # and in full for an administrator
    for shown in seen(admin_user):
        assert f"Call me: {PHONE} or {EMAIL}" in shown


def test_staff_entry_finds_a_caller_by_phone_and_shows_the_number_masked(client, agent, zhang):
    # given: an agent recording a phone interview looks the caller up by their number
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=agent, key="csat_purchase")
    )
    client.force_login(agent)
    url = reverse("surveys:entry", args=[survey.pk])
    # when
    page = client.get(url, {"find": PHONE})
    # then: the customer is found, with the number masked to confirm it with the caller
    assert [c.pk for c in page.context["found"]] == [zhang.pk]
    assert "138****5678" in page.content.decode()
    # and searching by name shows nothing more than the masked number
    html = client.get(url, {"find": "Zhang"}).content.decode()
    assert "138****5678" in html and PHONE not in html
