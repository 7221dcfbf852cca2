"""Issue 15, item 6: figures computed but not shown. The CSAT mean (and as % of the scale) and
the CES "easy" share stand beside the headline scores; CES has a trend chart; a month without
answers is a gap, not a line drawn across it; intervals are on the charts, within the scale."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.analytics import charts, figures
from manyi.analytics.queries import Filters
from manyi.metrics.scores import mean, percent_of_scale
from manyi.surveys.services import design
from tests.analytics.test_dashboards import _respond, answer_csat, data, this_month  # noqa: F401
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CES = [7, 6, 5, 5, 4, 3, 7, 2, 6, 1]  # easy (5-7): 6 of 10; mean 4.6


def test_mean_as_percent_of_the_scale_reproduces_methods_md():
    # METHODS.md, CSAT: answers 5,5,4,3,2,5,4,1,5,4 → mean 3.8 → 76.0 %, t interval 2.80-4.80
    counts = {5: 4, 4: 3, 3: 1, 2: 1, 1: 1}
    average = mean(counts, bounds=(1, 5))
    percent = percent_of_scale(average, 5)
    assert percent.value == pytest.approx(76.0)
    assert (round(average.low, 2), round(average.high, 2)) == (2.80, 4.80)
    assert (round(percent.low, 1), round(percent.high, 1)) == (56.0, 96.0)


def _ces_answers(analyst):
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="ces_service")
    )
    customer = CustomerFactory()
    for score in CES:
        _respond(
            survey,
            customer,
            "link",
            [(1, f"q__ces={score}&q__resolved=yes&q__agent_csat=4"), (2, "q__comment=ok")],
        )
    return survey


def test_overview_shows_csat_mean_and_ces_easy_share(client, analyst, data):  # noqa: F811
    _ces_answers(analyst)
    client.force_login(analyst)
    response = client.get(reverse("analytics:overview"), this_month())
    cards = {c["key"]: c for c in response.context["cards"]}
    extras = {x["label"]: x["e"] for x in cards["csat"]["extras"]}
    # CSAT answers 5,5,4,3,2 and 5,4,4,4,1: mean 3.7, sd 1.3375, t(9) → 2.74-4.66
    assert extras["Mean (1–5)"].value == pytest.approx(3.7)
    assert extras["Mean as % of the scale"].value == pytest.approx(74.0)
    assert extras["Mean as % of the scale"].low == pytest.approx(54.86, abs=0.01)
    assert extras["Mean as % of the scale"].high == pytest.approx(93.14, abs=0.01)
    easy = cards["ces"]["extras"][0]["e"]
    assert cards["ces"]["extras"][0]["label"] == "Easy (5–7)"
    assert easy.value == pytest.approx(60.0) and easy.n == 10  # 6 of 10
    assert cards["ces"]["now"].value == pytest.approx(4.6)
    page = response.content.decode()
    assert "Mean as % of the scale: " in page and "74.0%" in page
    assert "Easy (5–7): " in page and "60.0%" in page


def test_the_trend_charts_ces_with_gaps_and_bands(client, analyst):
    survey = _ces_answers(analyst)
    today = timezone.localdate()
    since = (today.replace(day=1) - dt.timedelta(days=70)).replace(day=1)
    points = figures.trend(Filters(since=since, until=today, survey_ids=(survey.pk,)), "month")
    # every month of the range, the empty ones too
    months = (today.year - since.year) * 12 + today.month - since.month + 1
    assert points[0].period == since and len(points) == months >= 3
    chart = charts.trend_charts(points)["ces"]
    assert chart["x"] == [p.period.isoformat() for p in points]
    line = chart["series"][0]
    # no answers: a gap (null), not zero, and the line is not joined across it
    assert line["values"][:-1] == [None] * (months - 1)
    assert line["values"][-1] == pytest.approx(4.6)
    assert 1 <= line["low"][-1] < 4.6 < line["high"][-1] <= 7  # the band, within 1-7
    client.force_login(analyst)
    page = client.get(reverse("analytics:overview"), {"since": since.isoformat()}).content
    assert b'data-chart="trend-ces"' in page and b'id="trend-ces"' in page


def test_chart_intervals_stay_within_their_scales(client, analyst, data):  # noqa: F811
    client.force_login(analyst)
    overview = client.get(reverse("analytics:overview"), this_month()).context["trend_charts"]
    for key, low_bound, high_bound in (("percent", 0, 100), ("nps", -100, 100)):
        for series in overview[key]["series"]:
            for value, low, high in zip(
                series["values"], series["low"], series["high"], strict=True
            ):
                if value is not None:
                    assert low_bound <= low <= value <= high <= high_bound
    chart = client.get(reverse("analytics:segments"), this_month()).context["chart"]
    assert len(chart["series"]) == 3
    for series in chart["series"]:
        assert len(series["low"]) == len(series["values"]) == len(series["high"])
