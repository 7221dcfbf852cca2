"""A survey's responses: the list with its funnel and filters, one response in full, who may
see which, and the customer's timeline."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.accounts.choices import Role
from manyi.surveys.blueprints import ALL_DIMENSIONS
from manyi.surveys.models import Response
from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import CustomerFactory, InvitationFactory

GAP_ITEMS = ["product_quality", "delivery", "service_attitude", "after_sales"]


@pytest.fixture
def survey(analyst):
    return survey_open(survey=survey_create_from_blueprint(user=analyst, key="full_satisfaction"))


def full_answers(overall="4") -> dict[int, dict[str, list[str]]]:
    return {
        1: {"q__overall": [overall]} | {f"q__items__{d}": ["4"] for d in ALL_DIMENSIONS},
        2: {
            "q__gap__delivery__expected": ["5"],
            "q__gap__delivery__experienced": ["3"],
            "q__importance__price": ["5"],
        },
        3: {"q__repurchase": ["4"], "q__nps": ["9"], "q__suggestions": ["更快的配送"]},
    }


def answer(survey, customer=None, *, pages=None, channel="phone", submit=True, **kwargs):
    response = response_start(
        survey=survey, channel=channel, language="zh-hans", customer=customer, **kwargs
    )
    for page, data in (pages or full_answers()).items():
        parsed = response_save_page(response=response, page=page, data=data)
        assert parsed.ok, parsed.errors
    if submit:
        assert response_submit(response=response).ok
    response.refresh_from_db()
    return response


@pytest.fixture
def east_customer(team_east):
    return CustomerFactory(name="东区客户", team=team_east)


@pytest.fixture
def west_customer(team_west):
    return CustomerFactory(name="西区客户", team=team_west)


@pytest.fixture
def responses(survey, east_customer, west_customer):
    return {
        "east": answer(survey, east_customer),
        "west": answer(survey, west_customer),
        "anonymous": answer(survey, channel="link"),
    }


def _listed(response) -> set[int]:
    return {r.pk for r in response.context["page"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMIN, {"east", "west", "anonymous"}),
        (Role.ANALYST, {"east", "west", "anonymous"}),
        (Role.VIEWER, {"east", "west", "anonymous"}),
        (Role.AGENT, {"east"}),
    ],
)
def test_response_list_per_role(client, users_by_role, survey, responses, role, expected):
    client.force_login(users_by_role[role])
    page = client.get(reverse("surveys:responses", args=[survey.pk]))
    assert page.status_code == 200
    assert _listed(page) == {responses[name].pk for name in expected}


@pytest.mark.parametrize(
    ("role", "visible"),
    [(Role.ADMIN, True), (Role.VIEWER, True), (Role.AGENT, False)],
)
def test_response_detail_of_another_team_is_404_for_an_agent(
    client, users_by_role, responses, role, visible
):
    client.force_login(users_by_role[role])
    for name in ("west", "anonymous"):
        page = client.get(reverse("surveys:response_detail", args=[responses[name].pk]))
        assert page.status_code == (200 if visible else 404)
    own = client.get(reverse("surveys:response_detail", args=[responses["east"].pk]))
    assert own.status_code == 200


def test_the_list_shows_columns_and_anonymous(client, analyst, survey, responses):
    client.force_login(analyst)
    page = client.get(reverse("surveys:responses", args=[survey.pk]))
    assert "东区客户" in page.text
    assert reverse("customers:detail", args=[responses["east"].customer_id]) in page.text
    assert "anonymous" in page.text
    assert "Public link" in page.text and "Phone interview" in page.text
    assert "7 / 7" in page.text  # answered / shown questions
    assert "v1" in page.text and "valid" in page.text


def test_the_list_shows_the_funnel(client, analyst, survey, east_customer):
    # given: two invitations delivered, one answered
    answered, _silent = (
        InvitationFactory(survey=survey, customer=east_customer),
        InvitationFactory(survey=survey),
    )
    answer(survey, channel="email", invitation=answered)
    client.force_login(analyst)
    # when
    page = client.get(reverse("surveys:responses", args=[survey.pk]))
    # then
    funnel = page.context["funnel"]
    assert (funnel.invited, funnel.delivered, funnel.completed, funnel.valid) == (2, 2, 1, 1)
    assert page.context["response_rate"] == 50
    assert 'data-figure="response_rate">50.0 %' in page.text
    assert reverse("surveys:responses_export", args=[survey.pk, "csv"]) in page.text


def test_export_links_only_for_those_who_may_export(client, viewer, survey, responses):
    client.force_login(viewer)
    page = client.get(reverse("surveys:responses", args=[survey.pk]))
    assert reverse("surveys:responses_export", args=[survey.pk, "csv"]) not in page.text


THIN = {1: full_answers()[1], 3: {"q__repurchase": ["3"], "q__nps": ["1"]}}


def test_filters(client, analyst, survey, east_customer):
    # given
    valid = answer(survey, east_customer)
    thin = answer(survey, pages=THIN)
    in_progress = answer(survey, submit=False, channel="paper")
    Response.objects.filter(pk=valid.pk).update(submitted_at=timezone.now() - dt.timedelta(10))
    client.force_login(analyst)
    url = reverse("surveys:responses", args=[survey.pk])
    # when / then
    assert _listed(client.get(url, {"status": "in_progress"})) == {in_progress.pk}
    assert _listed(client.get(url, {"channel": "paper"})) == {in_progress.pk}
    assert _listed(client.get(url, {"valid": "true"})) == {valid.pk}
    assert _listed(client.get(url, {"valid": "false"})) == {thin.pk}
    since = str(timezone.localdate() - dt.timedelta(days=2))
    assert _listed(client.get(url, {"submitted_after": since})) == {thin.pk}
    assert _listed(client.get(url, {"submitted_before": since})) == {valid.pk}
    all_three = {valid.pk, thin.pk, in_progress.pk}
    assert _listed(client.get(url, {"version": survey.current_version_id})) == all_three


def test_invalid_responses_are_kept_and_marked(client, analyst, survey):
    # given: 4 of 7 shown questions answered, below the two thirds a valid response needs
    response = answer(survey, pages=THIN)
    client.force_login(analyst)
    # when
    page = client.get(reverse("surveys:response_detail", args=[response.pk]))
    # then
    assert response.is_submitted and response.is_valid is False
    assert response.answers.count() > 0
    assert "invalid" in page.text and "4 of 7 shown questions answered" in page.text


def test_response_detail_shows_every_answer_in_the_viewers_language(
    client, analyst, survey, responses
):
    # given
    client.force_login(analyst)
    response = responses["east"]
    # when
    page = client.get(reverse("surveys:response_detail", args=[response.pk]))
    # then
    text = page.text
    assert page.status_code == 200
    assert "Overall, how satisfied are you with us?" in text
    assert "4 · Satisfied" in text  # rating with its label
    assert "Delivery on time" in text  # matrix and expectation rows by item name
    assert "5 · Very good" in text and "3 · Fair" in text and "-2" in text  # expected, gap
    assert "Probably" in text  # the option's label, not its value
    assert "更快的配送" in text
    assert "Phone interview" in text and "Simplified Chinese" in text
    questions = {q.question.code: q for q in page.context["questions"]}
    gap = {line.label: line for line in questions["gap"].lines}
    assert gap["Delivery on time"].gap == -2
    assert gap["Product quality"].gap is None
    assert not questions["importance"].lines[0].value


def test_response_detail_in_chinese(client, analyst, responses):
    client.force_login(analyst)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(
        reverse("surveys:response_detail", args=[responses["east"].pk]),
        headers={"accept-language": "zh-hans"},
    )
    assert "总体而言，您对我们的满意程度如何？" in page.text
    assert "按时配送" in page.text
    assert "可能会" in page.text


def test_response_detail_shows_who_entered_it(client, analyst, agent, survey, east_customer):
    response = answer(survey, east_customer, entered_by=agent)
    client.force_login(analyst)
    page = client.get(reverse("surveys:response_detail", args=[response.pk]))
    assert "agent_east" in page.text


def test_the_customer_timeline_shows_their_answers(client, agent, survey, east_customer):
    # given
    response = answer(survey, east_customer)
    draft = answer(survey, east_customer, submit=False)
    client.force_login(agent)
    # when
    page = client.get(reverse("customers:detail", args=[east_customer.pk]))
    # then
    assert page.status_code == 200
    entries = [e for e in page.context["timeline"] if e.kind == "response"]
    assert [e.obj.pk for e in entries] == [response.pk]
    assert draft.pk not in [e.obj.pk for e in page.context["timeline"]]
    assert "Customer satisfaction survey" in page.text
    assert reverse("surveys:response_detail", args=[response.pk]) in page.text


def test_viewers_see_responses_but_cannot_export(client, viewer, survey, responses):
    client.force_login(viewer)
    url = reverse("surveys:responses_export", args=[survey.pk, "csv"])
    assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, survey, responses):
    for url in (
        reverse("surveys:responses", args=[survey.pk]),
        reverse("surveys:response_detail", args=[responses["east"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
