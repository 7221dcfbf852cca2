"""Staff entry: answers given by phone, face to face or on paper, recorded by an agent."""

import pytest
from django.urls import reverse

from manyi.accounts.choices import Role
from manyi.surveys.blueprints import ALL_DIMENSIONS
from manyi.surveys.choices import ResponseChannel, ResponseStatus
from manyi.surveys.models import Answer, Response
from manyi.surveys.services.design import (
    survey_close,
    survey_create_from_blueprint,
    survey_open,
)
from tests.factories import CustomerFactory


@pytest.fixture
def survey(analyst):
    return survey_open(survey=survey_create_from_blueprint(user=analyst, key="csat_purchase"))


@pytest.fixture
def east_customer(team_east):
    return CustomerFactory(
        name="东区客户", external_id="E-1", team=team_east, language="en", consent_phone=True
    )


@pytest.fixture
def west_customer(team_west):
    return CustomerFactory(name="西区客户", external_id="W-1", team=team_west)


def _url(survey):
    return reverse("surveys:entry", args=[survey.pk])


def _post(client, survey, **fields):
    data = {"channel": "phone", "language": "zh-hans", "customer": "E-1"}
    data.update(fields)
    return client.post(_url(survey), {k: v for k, v in data.items() if v is not None})


def test_the_form_shows_every_question_of_every_page(client, agent, survey):
    client.force_login(agent)
    page = client.get(_url(survey))
    assert page.status_code == 200
    for name in ("q__overall", "q__delivery", "q__why_low", "q__repurchase"):
        assert f'name="{name}"' in page.text
    assert "Overall, how satisfied are you with this purchase?" in page.text
    assert "总体而言，您对本次购物的满意程度如何？" in page.text  # to read it out as asked
    assert "Phone interview" in page.text and "Paper questionnaire" in page.text
    assert "Public link" not in page.text


def test_an_agent_enters_a_phone_response_for_their_own_customer(
    client, agent, survey, east_customer
):
    # given
    client.force_login(agent)
    # when: answers of page 1 and page 2 together (why_low shows as overall is 2)
    response = _post(
        client,
        survey,
        q__overall="2",
        q__delivery="3",
        q__why_low="送货太慢",
        q__repurchase="3",
        customer="e-1",
    )
    # then
    saved = Response.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("surveys:response_detail", args=[saved.pk])
    assert saved.status == ResponseStatus.SUBMITTED and saved.submitted_at is not None
    assert saved.channel == ResponseChannel.PHONE
    assert saved.entered_by == agent and saved.customer == east_customer
    assert saved.language == "zh-hans" and saved.version == survey.current_version
    assert (saved.answered_count, saved.shown_count, saved.is_valid) == (4, 4, True)
    answers = {a.question.code: a for a in saved.answers.select_related("question")}
    assert answers["overall"].number == 2
    assert answers["why_low"].text == "送货太慢"
    assert answers["repurchase"].choices == ["3"]


def test_hidden_questions_are_dropped(client, agent, survey, east_customer):
    client.force_login(agent)
    _post(client, survey, q__overall="5", q__why_low="nothing")
    saved = Response.objects.get()
    assert set(saved.answers.values_list("question__code", flat=True)) == {"overall"}
    assert saved.shown_count == 3


def test_a_matrix_and_expectation_survey(client, analyst, survey):
    # given
    full = survey_open(survey=survey_create_from_blueprint(user=analyst, key="full_satisfaction"))
    customer = CustomerFactory(external_id="X-9")
    data = {f"q__items__{d}": "4" for d in ALL_DIMENSIONS}
    data |= {"q__gap__delivery__expected": "5", "q__gap__delivery__experienced": "3"}
    data |= {"q__overall": "4", "q__repurchase": "5", "q__nps": "10"}
    client.force_login(analyst)
    # when
    response = _post(client, full, channel="face_to_face", customer="X-9", **data)
    # then
    assert response.status_code == 302
    saved = Response.objects.get()
    assert saved.channel == "face_to_face" and saved.customer == customer
    assert saved.answers.filter(question__code="items").count() == len(ALL_DIMENSIONS)
    gap = saved.answers.filter(question__code="gap", dimension__code="delivery")
    assert sorted(gap.values_list("role", "number")) == [("expected", 5), ("experienced", 3)]


def test_an_agent_cannot_pick_another_teams_customer(client, agent, survey, west_customer):
    client.force_login(agent)
    response = _post(client, survey, customer="W-1", q__overall="4")
    assert response.status_code == 400
    assert "No customer with this external ID among the customers you serve." in response.text
    assert not Response.objects.exists()
    picked = _post(client, survey, customer="", customer_pk=str(west_customer.pk), q__overall="4")
    assert picked.status_code == 400
    assert not Response.objects.exists()


def test_the_search_finds_only_customers_the_agent_serves(
    client, agent, survey, east_customer, west_customer
):
    client.force_login(agent)
    page = client.get(_url(survey), {"find": "客户"})
    assert [c.pk for c in page.context["found"]] == [east_customer.pk]
    picked = client.get(_url(survey), {"customer_pk": east_customer.pk})
    assert picked.context["picked"] == east_customer
    assert picked.context["form"].initial["language"] == "en"  # the customer's language
    other = client.get(_url(survey), {"customer_pk": west_customer.pk})
    assert other.context["picked"] is None


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_search_with_one_match_fills_the_form(client, agent, survey, east_customer, language):
    # issue 15: "Find customer" showed a link instead of filling the form
    client.force_login(agent)
    page = client.get(_url(survey), {"find": "E-1"}, HTTP_ACCEPT_LANGUAGE=language)
    assert page.context["picked"] == east_customer
    html = page.content.decode()
    assert f'data-picked-customer="{east_customer.pk}"' in html
    assert f'name="customer_pk" value="{east_customer.pk}"' in html
    assert "data-found" not in html  # no list to choose from: it is chosen
    assert page.context["form"].initial["language"] == "en"


def test_a_search_with_several_matches_offers_a_button_each(
    client, agent, survey, east_customer, team_east
):
    other = CustomerFactory(name="东区客户二", team=team_east)
    client.force_login(agent)
    page = client.get(_url(survey), {"find": "东区"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.context["picked"] is None
    for customer in (east_customer, other):
        assert f'<input type="hidden" name="customer_pk" value="{customer.pk}">' in html
    assert html.count("选用此客户") == 2


@pytest.mark.parametrize(
    ("language", "hint"),
    [
        ("en", "Ask only if the answer to “overall” is at most 3; otherwise leave it empty."),
        ("zh-hans", "仅当“overall”的回答不高于 3 时才问；否则留空。"),
    ],
)
def test_the_skip_hint_states_its_condition(client, agent, survey, language, hint):
    client.force_login(agent)
    html = client.get(_url(survey), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert hint in html


def test_picking_a_customer_from_the_search(client, agent, survey, east_customer):
    client.force_login(agent)
    _post(client, survey, customer="", customer_pk=str(east_customer.pk), q__overall="5")
    assert Response.objects.get().customer == east_customer


def test_without_a_customer_the_response_is_saved_unlinked(client, agent, survey):
    client.force_login(agent)
    response = _post(client, survey, customer="", q__overall="5", channel="paper")
    saved = Response.objects.get()
    assert saved.customer is None and saved.channel == "paper"
    # the agent cannot see a response without a customer of their team: back to the form
    assert response.status_code == 302 and response.url == _url(survey)


def test_an_anonymous_survey_ignores_the_customer(client, analyst, survey, east_customer):
    survey.anonymous = True
    survey.save()
    client.force_login(analyst)
    _post(client, survey, customer="E-1", customer_pk=str(east_customer.pk), q__overall="5")
    assert Response.objects.get().customer is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"q__overall": ""}, "Please answer this question."),
        ({"q__overall": "9"}, "Choose a value from 1 to 5."),
        ({"q__overall": "4", "q__repurchase": "maybe"}, "Choose from the options shown."),
        ({"q__overall": "4", "q__nope": "1"}, "Unknown answer field(s): q__nope."),
        ({"q__overall": "4", "channel": "link"}, "Select a valid choice"),
        ({"q__overall": "2", "q__why_low": "x" * 2001}, "under 2000 characters"),
    ],
)
def test_invalid_input_stores_nothing(client, agent, survey, east_customer, fields, message):
    # given
    client.force_login(agent)
    # when
    response = _post(client, survey, **fields)
    # then
    assert response.status_code == 400
    assert message in response.text
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_an_error_on_page_two_rolls_back_page_one(client, agent, survey, east_customer):
    client.force_login(agent)
    response = _post(client, survey, q__overall="2", q__delivery="4", q__repurchase="42")
    assert response.status_code == 400
    assert not Response.objects.exists() and not Answer.objects.exists()
    # what was typed comes back, so nothing needs entering twice
    assert 'value="2" checked' in response.text and 'value="4" checked' in response.text


def test_a_repeated_single_value_is_refused(client, agent, survey, east_customer):
    client.force_login(agent)
    data = {"channel": "phone", "language": "en", "customer": "E-1", "q__overall": ["4", "5"]}
    response = client.post(_url(survey), data)
    assert response.status_code == 400
    assert "was sent twice" in response.text
    assert not Response.objects.exists()


def test_a_closed_survey_takes_no_entries(client, agent, survey, east_customer):
    survey_close(survey=survey)
    client.force_login(agent)
    assert client.get(_url(survey)).status_code == 409
    response = _post(client, survey, q__overall="4")
    assert response.status_code == 409
    assert "This survey is not open" in response.text
    assert not Response.objects.exists()


def test_viewers_may_not_enter_responses(client, viewer, survey):
    client.force_login(viewer)
    assert client.get(_url(survey)).status_code == 403
    assert _post(client, survey, q__overall="4").status_code == 403


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST, Role.AGENT])
def test_entry_roles(client, users_by_role, survey, role):
    client.force_login(users_by_role[role])
    assert client.get(_url(survey)).status_code == 200
