import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.customers.models import ContactPoint, Customer, Interaction
from tests.factories import (
    ContactPointFactory,
    CustomerFactory,
    InteractionFactory,
    PurchaseFactory,
    PurchaseItemFactory,
    SegmentFactory,
    TagFactory,
)


def _names(response) -> set[str]:
    return {c.name for c in response.context["page"]}


@pytest.fixture
def population(team_east, team_west):
    vip = TagFactory(name="VIP")
    gold = SegmentFactory(name="Gold")
    li = CustomerFactory(name="李伟", region="上海", segment=gold, team=team_east)
    li.tags.add(vip)
    ContactPointFactory(customer=li, kind="phone", value="13800138000")
    ContactPointFactory(customer=li, kind="email", value="li.wei@example.com")
    wang = CustomerFactory(name="王芳", region="广东", team=team_west)
    ContactPointFactory(customer=wang, kind="phone", value="13900139000")
    smith = CustomerFactory(name="John Smith", region="上海", external_id="EXT-42")
    return {"li": li, "wang": wang, "smith": smith, "vip": vip, "gold": gold}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"李伟", "王芳", "John Smith"}),
        ({"q": "李"}, {"李伟"}),
        ({"q": "138 0013 8000"}, {"李伟"}),
        ({"q": "LI.WEI@example.com"}, {"李伟"}),
        ({"q": "ext-42"}, {"John Smith"}),
        ({"region": "上海"}, {"李伟", "John Smith"}),
        ({"q": "nobody"}, set()),
    ],
)
def test_customer_search_and_filters(client, analyst, population, params, expected):
    client.force_login(analyst)
    response = client.get(reverse("customers:list"), params)
    assert response.status_code == 200
    assert _names(response) == expected


def test_filter_by_segment_and_tag(client, analyst, population):
    client.force_login(analyst)
    by_segment = client.get(reverse("customers:list"), {"segment": population["gold"].pk})
    by_tag = client.get(reverse("customers:list"), {"tag": population["vip"].pk})
    assert _names(by_segment) == _names(by_tag) == {"李伟"}


def test_customer_page_shows_profile_purchases_and_a_timeline_newest_first(client, analyst):
    # given
    customer = CustomerFactory(name="赵敏", occupation="工程师")
    now = timezone.now()
    old = InteractionFactory(
        customer=customer, subject="Old question", occurred_at=now - dt.timedelta(days=30)
    )
    purchase = PurchaseFactory(
        customer=customer, external_id="O-1", purchased_at=now - dt.timedelta(days=10)
    )
    PurchaseItemFactory(purchase=purchase, product__name="空气净化器")
    new = InteractionFactory(
        customer=customer,
        subject="New complaint",
        kind="complaint",
        occurred_at=now - dt.timedelta(days=1),
    )
    client.force_login(analyst)
    # when
    response = client.get(reverse("customers:detail", args=[customer.pk]))
    # then
    page = response.content.decode()
    assert "工程师" in page and "空气净化器" in page and "O-1" in page
    assert [e.obj for e in response.context["timeline"]] == [new, purchase, old]


def _customer_post(**overrides):
    data = {
        "name": "陈静",
        "external_id": "",
        "gender": "female",
        "birth_year": "1990",
        "region": "浙江",
        "language": "zh-hans",
        "consent_sms": "on",
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-kind": "phone",
        "contacts-0-value": "+86 136-0000-1111",
        "contacts-1-kind": "email",
        "contacts-1-value": "Chen.Jing@Example.com",
    }
    data.update(overrides)
    return data


def test_create_customer_with_contacts(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("customers:create"), _customer_post())
    customer = Customer.objects.get(name="陈静")
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    assert customer.external_id is None and customer.consent_sms and not customer.consent_email
    contacts = {(c.kind, c.value, c.is_primary) for c in customer.contacts.all()}
    assert contacts == {("phone", "+8613600001111", True), ("email", "chen.jing@example.com", True)}


def test_invalid_customer_form_explains_and_saves_nothing(client, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("customers:create"),
        _customer_post(**{"birth_year": "1850", "contacts-1-value": "not-an-email"}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a birth year between 1900 and this year." in page
    assert "is not an email address" in page
    assert not Customer.objects.exists() and not ContactPoint.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "is not a phone number: enter an 11-digit"), ("zh-hans", "不是有效的电话号码")],
)
def test_customer_form_refuses_an_impossible_phone_number(client, analyst, language, message):
    client.force_login(analyst)
    response = client.post(
        reverse("customers:create"),
        _customer_post(**{"contacts-0-value": "12345"}),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Customer.objects.exists()


def test_agent_creates_customers_in_their_own_team_only(client, agent, team_east, team_west):
    client.force_login(agent)
    client.post(reverse("customers:create"), _customer_post(team=str(team_west.pk)))
    assert not Customer.objects.exists()  # another team is not a valid choice
    client.post(reverse("customers:create"), _customer_post(team=str(team_east.pk)))
    assert Customer.objects.get().team == team_east


def test_editing_marks_one_primary_contact_per_kind(client, analyst):
    customer = CustomerFactory()
    first = ContactPointFactory(customer=customer, kind="phone", value="13800000001")
    second = ContactPointFactory(
        customer=customer, kind="phone", value="13800000002", is_primary=False
    )
    client.force_login(analyst)
    data = _customer_post(
        name=customer.name,
        **{
            "contacts-TOTAL_FORMS": "2",
            "contacts-INITIAL_FORMS": "2",
            "contacts-0-id": str(first.pk),
            "contacts-0-kind": "phone",
            "contacts-0-value": first.value,
            "contacts-1-id": str(second.pk),
            "contacts-1-kind": "phone",
            "contacts-1-value": second.value,
            "contacts-1-is_primary": "on",
        },
    )
    data.pop("contacts-0-is_primary", None)
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)


def test_recording_an_interaction_defaults_to_the_recorder_and_the_customers_team(
    client, agent, team_east
):
    customer = CustomerFactory(team=team_east)
    client.force_login(agent)
    response = client.post(
        reverse("customers:interaction_create", args=[customer.pk]),
        {
            "kind": "complaint",
            "channel": "phone",
            "occurred_at": "2026-11-20T10:30",
            "subject": "配送太慢",
            "content": "订单一周还没到",
            "outcome": "open",
            "team": str(team_east.pk),
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert (interaction.customer, interaction.handled_by, interaction.team) == (
        customer,
        agent,
        team_east,
    )
    assert timezone.localtime(interaction.occurred_at).hour == 10


def test_interaction_closing_before_it_happened_is_refused(client, analyst):
    customer = CustomerFactory()
    client.force_login(analyst)
    response = client.post(
        reverse("customers:interaction_create", args=[customer.pk]),
        {
            "kind": "inquiry",
            "channel": "email",
            "occurred_at": "2026-11-20T10:30",
            "closed_at": "2026-11-19T10:30",
            "outcome": "resolved",
        },
    )
    assert response.status_code == 400
    assert "cannot close before it happened" in response.content.decode()
    assert not Interaction.objects.exists()


def test_interaction_list_filters_by_kind_and_date(client, analyst):
    now = timezone.now()
    InteractionFactory(kind="complaint", subject="recent complaint", occurred_at=now)
    InteractionFactory(
        kind="complaint", subject="old complaint", occurred_at=now - dt.timedelta(days=400)
    )
    InteractionFactory(kind="inquiry", subject="recent inquiry", occurred_at=now)
    client.force_login(analyst)
    since = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    response = client.get(reverse("customers:interactions"), {"kind": "complaint", "since": since})
    assert [i.subject for i in response.context["page"]] == ["recent complaint"]


def test_home_counts_only_what_the_user_sees(client, agent, team_east, team_west):
    InteractionFactory(customer=CustomerFactory(team=team_east), kind="complaint")
    InteractionFactory(customer=CustomerFactory(team=team_west), kind="complaint")
    client.force_login(agent)
    figures = client.get(reverse("core:home")).context["figures"]
    assert (figures.customers, figures.recent_complaints) == (1, 1)
