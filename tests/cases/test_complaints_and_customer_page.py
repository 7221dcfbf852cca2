"""Complaints recorded as interactions are worked as cases (one source of truth), existing
ones were migrated, and the customer page shows open cases, the latest scores and the
follow-ups."""

import datetime as dt
import importlib

from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from manyi.cases import services
from manyi.cases.choices import Source, Status
from manyi.cases.models import Case
from manyi.customers.models import Interaction
from tests.factories import CustomerFactory


def _record(client, customer, **fields):
    data = {
        "kind": "complaint", "channel": "phone", "subject": "Fridge arrived dented",
        "content": "The door is bent.", "outcome": "open",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "team": str(customer.team_id),
    }  # fmt: skip
    data.update(fields)
    return client.post(reverse("customers:interaction_create", args=[customer.pk]), data)


def test_a_complaint_recorded_as_an_interaction_is_worked_as_a_case(client, agent):
    customer = CustomerFactory(team=agent.team)
    client.force_login(agent)
    assert _record(client, customer).status_code == 302
    interaction = Interaction.objects.get()
    case = Case.objects.get()
    assert case.interaction == interaction and case.source == Source.INTERACTION
    assert case.owner == agent and case.status == Status.ASSIGNED
    assert case.description == "The door is bent."
    # the interaction's outcome now follows the case
    form = client.get(reverse("customers:interaction_edit", args=[interaction.pk]))
    assert form.context["form"].fields["outcome"].disabled
    services.case_status(
        case, version=case.version, user=agent, status=Status.RESOLVED, resolution="Replaced"
    )
    interaction.refresh_from_db()
    assert interaction.outcome == "resolved" and interaction.closed_at == case.resolved_at
    # an inquiry is not a case
    _record(client, customer, kind="inquiry", subject="Opening hours?")
    assert Case.objects.count() == 1


def test_a_complaint_recorded_as_already_resolved_opens_a_resolved_case(client, agent):
    customer = CustomerFactory(team=agent.team)
    client.force_login(agent)
    closed = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    _record(client, customer, outcome="resolved", outcome_note="Refunded", closed_at=closed)
    case = Case.objects.get()
    assert case.status == Status.RESOLVED and case.resolution == "Refunded"


def test_the_customer_page_shows_open_cases_scores_and_follow_ups(client, agent):
    customer = CustomerFactory(team=agent.team)
    client.force_login(agent)
    _record(client, customer)
    page = client.get(customer.get_absolute_url()).content.decode()
    case = Case.objects.get()
    assert f'href="{case.get_absolute_url()}"' in page
    assert reverse("cases:create", args=[customer.pk]) in page
    assert "Fridge arrived dented" in page


def test_the_migration_turns_existing_complaint_interactions_into_cases(db):
    """The data migration's function, run on complaints recorded before cases existed."""
    migration = importlib.import_module(
        "manyi.cases.migrations.0003_cases_from_complaint_interactions"
    )
    customer = CustomerFactory()
    now = timezone.now()
    common = {"customer": customer, "kind": "complaint"}
    Interaction.objects.bulk_create([  # written without the app's services, as before
        Interaction(**common, channel="phone", subject="Late", outcome="open",
                    occurred_at=now - dt.timedelta(hours=1)),
        Interaction(**common, channel="email", subject="Broken", outcome="resolved",
                    outcome_note="Replaced", occurred_at=now - dt.timedelta(days=3),
                    closed_at=now - dt.timedelta(days=2)),
        Interaction(customer=customer, kind="inquiry", channel="phone", occurred_at=now),
    ])  # fmt: skip
    migration.forward(django_apps, None)
    migration.forward(django_apps, None)  # again: each complaint has its one case
    cases = {c.subject: c for c in Case.objects.all()}
    assert set(cases) == {"Late", "Broken"}
    late, broken = cases["Late"], cases["Broken"]
    assert late.status == "new" and late.resolution_due is not None and late.policy_id
    assert late.interaction.subject == "Late" and late.source == "interaction"
    assert broken.status == "resolved" and broken.resolution == "Replaced"
    assert broken.resolution_due is None


def test_complaints_imported_from_a_file_open_their_cases_once(admin_user, agent, team_east):
    """An imported complaint opens a case (source: import) in the import's own transaction;
    one imported as resolved is resolved at its closing time; importing the file again
    opens no second case; other kinds of interaction open none."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from manyi.customers.choices import ImportKind
    from manyi.customers.importing.services import import_job_create, import_run

    CustomerFactory(external_id="C1", team=team_east)
    CustomerFactory(external_id="C2", team=team_east)
    text = (
        "interaction_id,customer_id,type,channel,occurred_at,subject,content,outcome,closed_at\n"
        "I-1,C1,complaint,phone,2026-11-02 10:00,Late delivery,A week late,,\n"
        "I-2,C2,complaint,email,2026-11-03 09:00,Broken lid,,resolved,2026-11-03 15:00\n"
        "I-3,C2,inquiry,phone,2026-11-04 09:00,Opening hours,,,\n"
    )

    def run():
        job = import_job_create(
            user=admin_user, kind=ImportKind.INTERACTIONS,
            uploaded_file=SimpleUploadedFile("i.csv", text.encode()),
        )  # fmt: skip
        return import_run(job=job)

    assert run().failed_count == 0
    cases = {c.interaction.external_id: c for c in Case.objects.select_related("interaction")}
    assert set(cases) == {"I-1", "I-2"}
    assert {c.source for c in cases.values()} == {Source.IMPORT}
    assert cases["I-1"].status == Status.NEW and cases["I-1"].subject == "Late delivery"
    assert cases["I-2"].status == Status.RESOLVED
    assert cases["I-2"].resolved_at.hour == 15 - 8  # 15:00 Shanghai, in UTC
    assert run().updated_count == 3
    assert Case.objects.count() == 2  # the second import found the cases
