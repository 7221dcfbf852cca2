"""Competitor benchmark: the comparison rules by hand, the table from real responses, and who
may read and write."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from manyi.analytics import counts
from manyi.analytics.queries import Filters
from manyi.benchmarks.comparison import BETTER, EQUAL, INTERVAL, NONE, WORSE, Z_TEST, compare
from manyi.benchmarks.models import BenchmarkScore, Competitor
from manyi.benchmarks.queries import benchmark_table
from manyi.surveys.blueprints import ALL_DIMENSIONS
from manyi.surveys.models import Dimension
from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import CustomerFactory

# Our S_i = 80 % with a 95 % t interval [54.02, 105.98] (4, 4, 5, 3: sd 0.8165, t 3.1824)
OURS = (80.0, 54.02, 105.98)


def test_interval_rule():
    assert compare(*OURS, 70.0) == pytest.approx(compare(*OURS, 70.0))
    assert compare(*OURS, 70.0).verdict == EQUAL
    assert compare(*OURS, 50.0).verdict == BETTER
    assert compare(45.0, 29.09, 60.91, 75.0).verdict == WORSE
    assert compare(*OURS, 50.0).rule == INTERVAL
    assert compare(*OURS, 50.0).difference == pytest.approx(30.0)


def test_z_test_when_competitor_n_is_known():
    # se ours = 25.98 / 1.96 = 13.255; theirs = √(.5 × .5 / 1000) × 100 = 1.581
    # z = 30 / √(13.255² + 1.581²) = 2.247, p = 0.0246: better
    result = compare(*OURS, 50.0, 1000)
    assert (result.verdict, result.rule) == (BETTER, Z_TEST)
    assert result.p_value == pytest.approx(0.0246, abs=0.0005)
    # n = 10: theirs se 15.81, z = 30 / 20.63 = 1.454, p = 0.146: equal, though the competitor
    # lies outside our interval (the conservative variance bound)
    result = compare(*OURS, 50.0, 10)
    assert (result.verdict, result.rule) == (EQUAL, Z_TEST)
    assert result.p_value == pytest.approx(0.146, abs=0.001)


def test_no_comparison_without_our_interval():
    assert compare(None, None, None, 70.0).rule == NONE
    assert compare(80.0, None, None, 70.0, 500) == compare(80.0, None, None, 70.0, 500)
    assert compare(80.0, None, None, 70.0, 500).verdict == EQUAL


def respond(survey, customer, price, delivery):
    response = response_start(survey=survey, channel="link", language="en", customer=customer)
    items = {d: 4 for d in ALL_DIMENSIONS} | {"price": price, "delivery": delivery}
    pages = {
        1: "q__overall=4&" + "&".join(f"q__items__{d}={v}" for d, v in items.items()),
        2: "q__gap__delivery__expected=5&q__gap__delivery__experienced=3&q__importance__price=5",
        3: "q__repurchase=4&q__nps=9&q__suggestions=ok",
    }
    for page, data in pages.items():
        assert response_save_page(response=response, page=page, data=QueryDict(data)).ok
    assert response_submit(response=response).ok


@pytest.fixture
def scored(analyst, team_east, team_west):
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="full_satisfaction"))
    east = CustomerFactory(team=team_east)
    # price 4, 4, 5, 3 -> 80 % [54.02, 105.98]; delivery 2, 2, 2, 3 -> 45 % [29.09, 60.91]
    for price, delivery in [(4, 2), (4, 2), (5, 2), (3, 3)]:
        respond(survey, east, price, delivery)
    respond(survey, CustomerFactory(team=team_west), 1, 5)
    today = timezone.localdate()
    rival, other = Competitor.objects.create(name="Rival"), Competitor.objects.create(name="Other")
    price, delivery = Dimension.objects.get(code="price"), Dimension.objects.get(code="delivery")
    period = {"period_start": today - dt.timedelta(days=60), "period_end": today}
    BenchmarkScore.objects.create(competitor=rival, dimension=price, satisfaction=50, **period)
    BenchmarkScore.objects.create(competitor=rival, dimension=delivery, satisfaction=75, **period)
    BenchmarkScore.objects.create(competitor=other, dimension=price, satisfaction=70, **period)
    # an older study of Other's delivery does not overlap the period asked for
    BenchmarkScore.objects.create(
        competitor=other,
        dimension=delivery,
        satisfaction=10,
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2020, 12, 31),
    )
    return Filters(since=today - dt.timedelta(days=30), until=today)


def verdicts(table):
    names = [c.name for c in table.competitors]
    return {
        (row.code, names[i]): cell.comparison.verdict
        for row in table.rows
        for i, cell in enumerate(row.cells)
        if cell.comparison
    }


def test_table_for_an_agent(scored, agent):
    table = benchmark_table(scored.for_user(agent), language="en")
    rows = {row.code: row for row in table.rows}
    assert rows["price"].ours.value == pytest.approx(80.0)
    assert rows["price"].ours.low == pytest.approx(54.02, abs=0.01)
    assert rows["delivery"].ours.value == pytest.approx(45.0)
    assert verdicts(table) == {
        ("price", "Rival"): BETTER,
        ("price", "Other"): EQUAL,
        ("delivery", "Rival"): WORSE,
    }
    assert rows["delivery"].cells[0].score is None  # "Other" first: 2020 is out of the period
    # the same after the count tables are filled
    counts.fill(now=timezone.now() + dt.timedelta(hours=1))
    assert benchmark_table(scored.for_user(agent), language="en") == table


def test_everyone_sees_the_west_response_too(scored, admin_user):
    rows = {
        row.code: row for row in benchmark_table(scored.for_user(admin_user), language="en").rows
    }
    assert rows["price"].ours.value == pytest.approx(68.0)  # (4 + 4 + 5 + 3 + 1) / 5 × 20
    assert rows["price"].ours.n == 5


def test_list_page(client, scored, agent, viewer):
    client.force_login(agent)
    page = client.get(reverse("benchmarks:list"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "we are better" in text and "we are worse" in text
    assert "indicative only" in text  # n = 4
    assert reverse("benchmarks:score_create") not in text  # an agent does not manage
    client.force_login(viewer)  # with the West response, both lie inside our intervals
    text = client.get(reverse("benchmarks:list")).content.decode()
    assert "we are better" not in text and "we are worse" not in text


@pytest.mark.parametrize("name", ["competitor_create", "score_create"])
def test_writes_need_manage_surveys(client, db, viewer, agent, name):
    for user in (viewer, agent):
        client.force_login(user)
        assert client.get(reverse(f"benchmarks:{name}")).status_code == 403
        assert client.post(reverse(f"benchmarks:{name}"), {"name": "X"}).status_code == 403
    assert not Competitor.objects.exists()
    client.logout()
    assert client.get(reverse(f"benchmarks:{name}")).status_code == 302


def test_analyst_enters_and_edits_scores(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("benchmarks:competitor_create"), {"name": "Rival"})
    assert response.status_code == 302
    rival = Competitor.objects.get(name="Rival")
    price = Dimension.objects.get(code="price")
    data = {
        "competitor": rival.pk,
        "dimension": price.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "satisfaction": "76.5",
        "n": "400",
        "source": "Industry study 2026",
    }
    assert client.post(reverse("benchmarks:score_create"), data).status_code == 302
    score = BenchmarkScore.objects.get()
    assert score.satisfaction == Decimal("76.5") and score.n == 400
    edit = reverse("benchmarks:score_edit", args=[score.pk])
    assert client.post(edit, data | {"satisfaction": "120"}).status_code == 400
    assert client.post(edit, data | {"period_end": "2025-12-31"}).status_code == 400
    assert client.post(edit, data | {"satisfaction": "71"}).status_code == 302
    score.refresh_from_db()
    assert score.satisfaction == Decimal("71")
