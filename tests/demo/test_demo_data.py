import datetime as dt
import re
import zoneinfo
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import F, Sum
from django.test import Client
from django.utils import timezone

from manyi.accounts.models import Team, User
from manyi.customers.choices import ContactKind, Outcome
from manyi.customers.models import (
    ContactPoint,
    Customer,
    Interaction,
    Product,
    Purchase,
    PurchaseItem,
    Segment,
)
from manyi.customers.normalize import contact_error, normalize_contact
from manyi.demo import texts, vocab
from manyi.surveys.models import Answer, Invitation, Response, Survey, Trigger
from manyi.surveys.services.design import survey_create_from_blueprint
from tests.factories import CustomerFactory, InvitationFactory

UNTIL = dt.date(2026, 11, 23)
SMALL = ("--customers", "60", "--purchases", "200", "--interactions", "100", "--responses", "150")


def demo_data(*args: str, sizes=SMALL, until=UNTIL) -> str:
    out = StringIO()
    dates = ("--until", until.isoformat()) if until else ()
    call_command("demo_data", *sizes, *dates, *args, stdout=out)
    return out.getvalue()


def fingerprint() -> tuple[list, ...]:
    phones = dict(
        ContactPoint.objects.filter(kind=ContactKind.PHONE).values_list(
            "customer__external_id", "value"
        )
    )
    customers = [
        (external_id, name, region, phones[external_id])
        for external_id, name, region in Customer.objects.order_by("external_id").values_list(
            "external_id", "name", "region"
        )
    ]
    purchases = list(
        Purchase.objects.order_by("external_id").values_list(
            "external_id", "customer__external_id", "amount", "purchased_at"
        )
    )
    interactions = list(
        Interaction.objects.order_by("external_id").values_list(
            "external_id", "kind", "subject", "content", "outcome", "occurred_at", "closed_at"
        )
    )
    responses = list(
        Response.objects.order_by("started_at", "customer__external_id", "channel").values_list(
            "survey__blueprint", "customer__external_id", "channel", "started_at", "is_valid"
        )
    )
    answers = list(
        Answer.objects.order_by(
            "response__started_at", "response__channel", "question__code", "dimension__code", "role"
        ).values_list("question__code", "dimension__code", "role", "number", "text", "choices")
    )
    return customers, purchases, interactions, responses, answers


def history_end() -> dt.datetime:
    return dt.datetime.combine(UNTIL, dt.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


@pytest.mark.django_db
def test_creates_the_asked_sizes_and_prints_the_logins():
    # when
    output = demo_data()

    # then
    assert Customer.objects.count() == 60
    assert Purchase.objects.count() == 200
    assert Interaction.objects.count() == 100
    assert Product.objects.count() == len(vocab.PRODUCTS)
    assert Segment.objects.count() == len(vocab.SEGMENTS)
    assert PurchaseItem.objects.count() >= 200
    assert "60 customers" in output
    for username, *_rest in vocab.USERS:
        assert username in output
    assert "manyi-demo" in output


@pytest.mark.django_db
def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    # given
    demo_data("--seed", "42")
    first = fingerprint()

    # when
    demo_data("--seed", "42", "--reset", "--batch-size", "7")
    again = fingerprint()
    demo_data("--seed", "43", "--reset")
    other = fingerprint()

    # then
    assert again == first
    assert other[0] != first[0]
    assert other[1] != first[1]
    assert other[2] != first[2]


@pytest.mark.django_db
def test_purchase_amounts_are_the_sums_of_their_items():
    demo_data()

    totals = Purchase.objects.annotate(total=Sum(F("items__unit_price") * F("items__quantity")))

    assert all(p.total == p.amount for p in totals)
    assert {p.external_id for p in totals if p.total is None} == set()


@pytest.mark.django_db
def test_orders_and_contacts_happen_in_order_within_the_history():
    # when
    demo_data()

    # then
    end = history_end()
    start = end - dt.timedelta(days=730)
    purchases = list(Purchase.objects.order_by("external_id"))
    assert [p.purchased_at for p in purchases] == sorted(p.purchased_at for p in purchases)
    for purchase in purchases:
        assert start <= purchase.purchased_at < end
        if purchase.delivered_at:
            assert purchase.purchased_at <= purchase.delivered_at < end
        if purchase.returned:
            assert purchase.delivered_at < purchase.returned_at < end
    interactions = list(Interaction.objects.order_by("external_id"))
    assert [i.occurred_at for i in interactions] == sorted(i.occurred_at for i in interactions)
    for interaction in interactions:
        assert start <= interaction.occurred_at < end
        if interaction.closed_at:
            assert interaction.occurred_at <= interaction.closed_at < end
        if interaction.outcome in (Outcome.OPEN, Outcome.ESCALATED):
            assert interaction.closed_at is None
        if interaction.outcome in (Outcome.RESOLVED, Outcome.UNRESOLVED):
            assert interaction.closed_at is not None


@pytest.mark.django_db
def test_interactions_belong_to_the_customers_team_and_its_agent():
    demo_data()

    for interaction in Interaction.objects.select_related("customer", "handled_by"):
        assert interaction.team_id == interaction.customer.team_id
        if interaction.handled_by:
            assert interaction.handled_by.team_id == interaction.team_id


@pytest.mark.django_db
def test_contacts_are_valid_normalised_and_every_customer_has_a_phone_of_their_own():
    demo_data()

    contacts = list(ContactPoint.objects.all())
    for contact in contacts:
        assert contact_error(contact.kind, contact.value) is None
        assert normalize_contact(contact.kind, contact.value) == contact.value
    phones = [c.value for c in contacts if c.kind == ContactKind.PHONE]
    assert len(phones) == len(set(phones)) == 60
    assert all(re.fullmatch(r"1[3-9]\d{9}", phone) for phone in phones)
    assert {c.kind for c in contacts} == set(ContactKind.values)


@pytest.mark.django_db
def test_customers_have_chinese_and_english_names_in_their_language():
    demo_data()

    customers = list(Customer.objects.all())
    chinese = [c for c in customers if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", c.name)]
    english = [c for c in customers if re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", c.name)]
    assert len(chinese) + len(english) == len(customers)
    assert len(chinese) > len(english) > 0
    assert all(c.language == "zh-hans" for c in chinese)
    assert any(c.language == "en" for c in english)
    assert all(1950 <= c.birth_year <= 2006 for c in customers)


@pytest.mark.django_db
def test_every_team_has_an_agent_a_lead_and_customers():
    demo_data()

    for key, name, lead in vocab.TEAMS:
        team = Team.objects.get(name=name)
        agent = User.objects.get(username=f"agent_{key}")
        assert agent.role == "agent"
        assert agent.team == team
        assert team.lead.username == lead
        assert Customer.objects.filter(team=team).exists()


@pytest.mark.django_db
def test_demo_users_log_in_with_the_demo_password(client: Client):
    # given
    demo_data()

    # then
    for username, role, _team, _name in vocab.USERS:
        assert User.objects.get(username=username).role == role
        assert client.login(username=username, password="manyi-demo"), username
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_rerun_updates_existing_users_and_their_password(client: Client):
    # given
    demo_data()
    viewer = User.objects.get(username="viewer")
    User.objects.filter(pk=viewer.pk).update(role="admin", is_active=False)

    # when
    demo_data("--reset", "--password", "another-secret")

    # then
    viewer.refresh_from_db()
    assert (viewer.role, viewer.is_active) == ("viewer", True)
    assert User.objects.filter(username="viewer").count() == 1
    assert client.login(username="viewer", password="another-secret")
    assert not client.login(username="agent_east", password="manyi-demo")


@pytest.mark.django_db
def test_if_empty_leaves_existing_customers_alone():
    # given
    customer = CustomerFactory(name="Existing")

    # when
    output = demo_data("--if-empty")

    # then
    assert list(Customer.objects.all()) == [customer]
    assert not Purchase.objects.exists()
    assert "not created" in output


@pytest.mark.django_db
def test_if_empty_fills_an_empty_database():
    demo_data("--if-empty")

    assert Customer.objects.count() == 60


@pytest.mark.django_db
def test_running_twice_without_reset_stops_with_a_clear_error():
    # given
    demo_data()

    # when / then
    with pytest.raises(CommandError, match="--reset"):
        demo_data()
    assert Customer.objects.count() == 60


@pytest.mark.django_db
def test_reset_replaces_the_data_but_keeps_the_users():
    # given
    demo_data()
    old_customers = set(Customer.objects.values_list("pk", flat=True))
    users = set(User.objects.values_list("pk", flat=True))

    # when
    demo_data("--reset", sizes=("--customers", "30", "--purchases", "50", "--interactions", "40"))

    # then
    assert Customer.objects.count() == 30
    assert Purchase.objects.count() == 50
    assert Interaction.objects.count() == 40
    assert not old_customers & set(Customer.objects.values_list("pk", flat=True))
    assert set(User.objects.values_list("pk", flat=True)) == users
    assert Product.objects.count() == len(vocab.PRODUCTS)


@pytest.mark.django_db
def test_default_until_puts_nothing_in_the_future():
    demo_data(until=None)

    now = timezone.now()
    assert not Purchase.objects.filter(purchased_at__gt=now).exists()
    assert not Purchase.objects.filter(delivered_at__gt=now).exists()
    assert not Interaction.objects.filter(occurred_at__gt=now).exists()
    assert not Interaction.objects.filter(closed_at__gt=now).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ("--customers", "0", "--purchases", "5"),
        ("--customers", "-1"),
        ("--until", "23.11.2026"),
        ("--batch-size", "0"),
        ("--reset", "--if-empty"),
    ],
)
def test_rejects_impossible_options(args):
    with pytest.raises(CommandError):
        call_command("demo_data", *args, stdout=StringIO())
    assert not Customer.objects.exists()


def test_every_text_template_fills_its_slots():
    slots = {"product": "P", "order": "O1", "days": 3, "store": "S", "drop": 50, "city": "C"}
    topics = texts.topics()

    for topic in topics.values():
        assert topic.notes
        for language in texts.LANGUAGES:
            for subject, content in topic.texts[language]:
                assert subject.format(**slots) and content.format(**slots)
    assert sum(len(t.texts[lang]) for t in topics.values() for lang in texts.LANGUAGES) > 60


def test_template_file_errors_name_the_line():
    with pytest.raises(ValueError, match="line 2"):
        texts.parse("[inquiry:x]\nzh subject without content\n")


@pytest.mark.django_db
def test_reset_also_clears_what_other_apps_attached_to_demo_customers():
    # given: a survey and an invitation someone made on top of the demo data
    demo_data()
    analyst = User.objects.get(username="analyst")
    survey = survey_create_from_blueprint(user=analyst, key="csat_purchase")
    invitation = InvitationFactory(survey=survey, customer=Customer.objects.first())

    # when
    demo_data("--reset")

    # then
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert not Survey.objects.filter(pk=survey.pk).exists()
    assert Customer.objects.count() == 60
    assert Survey.objects.count() == 5


@pytest.mark.django_db
def test_survey_answers_follow_the_surveys_own_rules():
    from manyi.surveys.answering import answer_values
    from manyi.surveys.services.responding import shown_questions, version_questions

    demo_data()
    responses = Response.objects.select_related("version", "survey")
    assert 100 <= responses.count() <= 220  # about the 150 asked for
    assert {r.survey.blueprint for r in responses} == {
        "full_satisfaction",
        "csat_purchase",
        "nps_relationship",
        "ces_service",
        "exit",
    }
    for response in responses:
        # then: the stored counts are what the respondent pages would have computed
        answers = list(response.answers.select_related("question"))
        shown = shown_questions(version_questions(response.version), answer_values(answers))
        answered = {a.question_id for a in answers}
        assert response.shown_count == len(shown)
        assert response.answered_count == sum(1 for q in shown if q.pk in answered)
        assert {a.question_id for a in answers} <= {q.pk for q in shown}
        if response.status == "submitted":
            assert response.is_valid == (3 * response.answered_count >= 2 * response.shown_count)
        else:
            assert response.is_valid is None
    # the trigger asks after future deliveries only: nothing from the history fires
    trigger = Trigger.objects.get()
    assert trigger.active_since == history_end()
