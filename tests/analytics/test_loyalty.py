"""Satisfaction vs. loyalty on constructed responses, every number counted by hand."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from manyi.analytics import counts, loyalty
from manyi.analytics.queries import Filters
from manyi.surveys.blueprints import ALL_DIMENSIONS
from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import CustomerFactory


def answer(survey, customer, overall, repurchase, nps, *, thin=False):
    response = response_start(survey=survey, channel="link", language="en", customer=customer)
    pages = {
        1: f"q__overall={overall}&" + "&".join(f"q__items__{d}=4" for d in ALL_DIMENSIONS),
        2: "q__gap__delivery__expected=5&q__gap__delivery__experienced=3&q__importance__price=5",
        3: f"q__repurchase={repurchase}&q__nps={nps}&q__suggestions=ok",
    }
    if thin:  # 4 of 7 questions: below the two-thirds validity threshold
        pages = {1: pages[1], 3: f"q__repurchase={repurchase}&q__nps={nps}"}
    for page, data in pages.items():
        assert response_save_page(response=response, page=page, data=QueryDict(data)).ok
    assert response_submit(response=response).ok
    response.refresh_from_db()
    return response


@pytest.fixture
def survey_data(analyst, team_east, team_west):
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="full_satisfaction"))
    east, west = CustomerFactory(team=team_east), CustomerFactory(team=team_west)
    for overall, repurchase, nps in [
        (5, 5, 10),
        (5, 4, 9),
        (5, 3, 6),
        (4, 4, 8),
        (4, 2, 7),
        (2, 1, 3),
    ]:
        answer(survey, east, overall, repurchase, nps)
    answer(survey, west, 3, 5, 10)
    thin = answer(survey, east, 1, 5, 10, thin=True)
    assert thin.is_valid is False
    return survey


def by_level(result):
    return {row.level: row for row in result.rows}


def test_levels_by_hand(survey_data, admin_user):
    # when
    result = loyalty.satisfaction_vs_loyalty(Filters().for_user(admin_user))
    rows = by_level(result)
    # then: the invalid (thin) response is left out, level 1 stays empty
    assert result.respondents == 7 and not result.capped
    assert [rows[level].n for level in range(1, 6)] == [0, 1, 1, 2, 3]
    assert rows[5].repurchase.value == pytest.approx(200 / 3)  # 5 and 4 of 5, 4, 3
    assert rows[5].nps_mean.value == pytest.approx(25 / 3)
    assert rows[5].nps.value == pytest.approx(100 / 3)  # 2 promoters, 1 detractor of 3
    assert rows[4].repurchase.value == pytest.approx(50.0)
    assert rows[4].nps_mean.value == pytest.approx(7.5)
    assert rows[4].nps.value == pytest.approx(0.0)
    assert rows[2].repurchase.value == pytest.approx(0.0)
    assert rows[2].nps.value == pytest.approx(-100.0)
    assert rows[1].repurchase.value is None and rows[1].nps.n == 0
    assert not rows[5].repurchase.reliable


def test_agent_sees_their_teams_respondents_only(survey_data, agent):
    rows = by_level(loyalty.satisfaction_vs_loyalty(Filters().for_user(agent)))
    assert rows[3].n == 0  # the West customer's response
    assert rows[5].n == 3


def test_period_and_counts_fill_do_not_change_numbers(survey_data, admin_user):
    before = loyalty.satisfaction_vs_loyalty(Filters().for_user(admin_user))
    counts.fill(now=timezone.now() + dt.timedelta(hours=1))
    assert loyalty.satisfaction_vs_loyalty(Filters().for_user(admin_user)) == before
    past = Filters(until=timezone.localdate() - dt.timedelta(days=1))
    assert loyalty.satisfaction_vs_loyalty(past).respondents == 0


def test_cap_reads_the_most_recent_responses(survey_data, admin_user, monkeypatch):
    monkeypatch.setattr(loyalty, "SAMPLE", 2)
    result = loyalty.satisfaction_vs_loyalty(Filters())
    # the two most recent valid responses: (2, 1, 3) of East and (3, 5, 10) of West
    assert result.capped and result.respondents == 2
    assert [row.n for row in result.rows] == [0, 1, 1, 0, 0]


def test_page(client, survey_data, viewer):
    client.force_login(viewer)
    page = client.get(reverse("behaviour:loyalty"))
    assert page.status_code == 200
    assert "66.7" in page.content.decode()


def test_page_needs_login(client, db):
    assert client.get(reverse("behaviour:loyalty")).status_code == 302
