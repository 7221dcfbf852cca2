"""The dashboards: every figure on the page is the one computed by hand for a constructed set
of answers, filters narrow it correctly, and an agent only ever sees their team's numbers."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from manyi.analytics import counts
from manyi.surveys.services import design
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import CustomerFactory, SegmentFactory

DASHBOARDS = [
    reverse("analytics:overview"),
    reverse("analytics:items"),
    reverse("analytics:segments"),
    reverse("analytics:teams"),
    reverse("analytics:breakdown", args=["region"]),
    reverse("analytics:breakdown", args=["channel"]),
    reverse("analytics:breakdown", args=["survey"]),
]

# CSAT answers (1-5) and NPS answers (0-10) per team; hand-computed:
#   CSAT east 3 of 5 top-2 = 60 %, west (by email) 4 of 5 = 80 %, all 7 of 10 = 70 %.
#   NPS east P3 D0 of 5 = +60, west P2 D3 of 5 = -20, all P5 D3 of 10 = +20 (METHODS.md).
CSAT = {"east": [5, 5, 4, 3, 2], "west": [5, 4, 4, 4, 1]}
NPS = {"east": [10, 9, 9, 8, 7], "west": [6, 5, 10, 3, 9]}


def _respond(survey, customer, channel, pages):
    response = response_start(survey=survey, channel=channel, language="en", customer=customer)
    for page, data in pages:
        response_save_page(response=response, page=page, data=QueryDict(data))
    response_submit(response=response)
    return response


def answer_csat(survey, customer, score, channel="link"):
    # overall, delivery and repurchase: at least two thirds of the shown questions, valid
    return _respond(
        survey,
        customer,
        channel,
        [(1, f"q__overall={score}&q__delivery=4"), (2, "q__repurchase=3")],
    )


def answer_nps(survey, customer, score, channel="link"):
    return _respond(
        survey,
        customer,
        channel,
        [(1, f"q__nps={score}"), (2, "q__nps_reason=ok&q__improve_first=price")],
    )


@pytest.fixture
def data(analyst, team_east, team_west):
    csat_survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )
    nps_survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="nps_relationship")
    )
    retail, corporate = SegmentFactory(name="Retail"), SegmentFactory(name="Corporate")
    east = CustomerFactory(team=team_east, segment=retail, region="上海")
    west = CustomerFactory(team=team_west, segment=corporate, region="北京")
    for score in CSAT["east"]:
        answer_csat(csat_survey, east, score)
    for score in CSAT["west"]:
        answer_csat(csat_survey, west, score, channel="email")
    for score in NPS["east"]:
        answer_nps(nps_survey, east, score)
    for score in NPS["west"]:
        answer_nps(nps_survey, west, score)
    return {
        "csat_survey": csat_survey,
        "nps_survey": nps_survey,
        "retail": retail,
        "corporate": corporate,
        "east": east,
        "west": west,
    }


def this_month() -> dict:
    today = timezone.localdate()
    return {"since": today.replace(day=1).isoformat(), "until": today.isoformat()}


def cards(client, status=200, **params):
    response = client.get(reverse("analytics:overview"), {**this_month(), **params})
    assert response.status_code == status
    return {c["label"]: c["now"] for c in response.context["cards"]}, response


def csat_nps(client, **params):
    found, _response = cards(client, **params)
    return found["CSAT (top-2-box)"].value, found["NPS"].value


def test_overview_shows_the_hand_computed_csat_and_nps(client, analyst, data):
    # given
    client.force_login(analyst)
    # when
    found, response = cards(client)
    page = response.content.decode()
    # then: 7 of 10 top-2 = 70 %, Wilson 39.68-89.22; NPS 50 - 30 = +20, n 10 each
    csat, score = found["CSAT (top-2-box)"], found["NPS"]
    assert csat.value == pytest.approx(70.0) and csat.n == 10
    assert (round(csat.low, 2), round(csat.high, 2)) == (39.68, 89.22)
    assert score.value == pytest.approx(20.0) and score.n == 10
    assert "70.0%" in page and "[39.7 – 89.2]" in page
    # NPS interval: adjusted Wald (METHODS.md, updated; the plain ±54.03 gave -34.0 – 74.0)
    assert "20.0" in page and "[-30.3 – 61.1]" in page
    # n = 10 is below 30: greyed out with the note
    assert "unreliable" in page and "too few answers (fewer than 30)" in page
    # response totals: 20 submitted, all valid
    assert response.context["totals"].submitted == 20
    assert response.context["valid_rate"] == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"team": "east"}, (60.0, 60.0)),
        ({"team": "west"}, (80.0, -20.0)),
        ({"segment": "corporate"}, (80.0, -20.0)),
        ({"region": "上海"}, (60.0, 60.0)),
        ({"channel": "email"}, (80.0, None)),
        ({"channel": "link"}, (60.0, 20.0)),
        ({"survey": "nps_survey"}, (None, 20.0)),
        ({"survey": "csat_survey", "team": "west"}, (80.0, None)),
    ],
)
def test_filters_change_the_numbers(client, analyst, data, team_east, team_west, params, expected):
    client.force_login(analyst)
    ids = {
        "east": team_east.pk,
        "west": team_west.pk,
        "corporate": data["corporate"].pk,
        "nps_survey": data["nps_survey"].pk,
        "csat_survey": data["csat_survey"].pk,
    }
    query = {k: ids.get(v, v) for k, v in params.items()}
    assert csat_nps(client, **query) == expected


def test_date_range_and_change_against_the_previous_period(client, analyst, data):
    # given: last month two more CSAT answers, both 5
    forty_days_ago = timezone.now() - dt.timedelta(days=40)
    with mock.patch("django.utils.timezone.now", return_value=forty_days_ago):
        for _ in range(2):
            answer_csat(data["csat_survey"], data["east"], 5)
    client.force_login(analyst)
    old = timezone.localtime(forty_days_ago).date()
    # when / then: only that day
    day = {"since": old.isoformat(), "until": old.isoformat()}
    assert csat_nps(client, **day) == (100.0, None)
    # a window of 40 days ending today compares with the 40 days before it
    today = timezone.localdate()
    window = {"since": (today - dt.timedelta(days=39)).isoformat(), "until": today.isoformat()}
    response = client.get(reverse("analytics:overview"), window)
    csat_card = response.context["cards"][0]
    assert csat_card["now"].value == pytest.approx(70.0)
    assert csat_card["before"].value == pytest.approx(100.0)
    assert csat_card["delta"] == pytest.approx(-30.0)
    assert csat_card["test"].significant is False  # 2 of 2 against 7 of 10: far too few


def test_agent_counts_only_their_teams_customers(client, agent, data, team_west):
    client.force_login(agent)
    assert csat_nps(client) == (60.0, 60.0)
    # asking for another team is refused by the form and still shows only their own
    found, _response = cards(client, status=400, team=team_west.pk)  # not one of theirs
    assert found["CSAT (top-2-box)"].value == pytest.approx(60.0)
    page = client.get(reverse("analytics:teams"), this_month()).content.decode()
    assert "East" in page and "West" not in page


def test_breakdown_names_rows_and_shows_scores(client, analyst, data, team_east):
    # given: a response from a customer without team or segment
    loner = CustomerFactory(region="")
    answer_csat(data["csat_survey"], loner, 4)
    client.force_login(analyst)
    # when
    response = client.get(reverse("analytics:segments"), this_month())
    rows = {r["name"]: r["row"] for r in response.context["rows"]}
    # then
    assert set(rows) == {"Retail", "Corporate", "—"}
    assert rows["Retail"].csat.value == pytest.approx(60.0)
    assert rows["Corporate"].nps.value == pytest.approx(-20.0)
    assert rows["—"].csat.value == pytest.approx(100.0)
    teams = client.get(reverse("analytics:teams"), this_month()).context["rows"]
    assert {r["name"] for r in teams} == {"East", "West", "—"}
    channels = client.get(reverse("analytics:breakdown", args=["channel"]), this_month())
    assert {r["name"] for r in channels.context["rows"]} == {"Public link", "Email invitation"}


def test_unknown_breakdown_is_404(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("analytics:breakdown", args=["colour"])).status_code == 404


def test_numbers_stay_the_same_after_filling_the_count_tables(client, analyst, data):
    client.force_login(analyst)
    before = csat_nps(client)
    counts.fill(now=timezone.now() + dt.timedelta(hours=1))
    assert csat_nps(client) == before == (70.0, 20.0)


def full_satisfaction_response(survey, customer, *, price: int, quality_experienced: int):
    items = "&".join(
        f"q__items__{code}={price if code == 'price' else 4}"
        for code in (
            "product_quality",
            "price",
            "delivery",
            "service_attitude",
            "response_speed",
            "after_sales",
            "channels",
            "brand",
        )
    )
    gap = "&".join(
        f"q__gap__{code}__expected=5&q__gap__{code}__experienced="
        f"{quality_experienced if code == 'product_quality' else 5}"
        for code in ("product_quality", "delivery", "service_attitude", "after_sales")
    )
    return _respond(
        survey,
        customer,
        "link",
        [
            (1, f"q__overall=4&{items}"),
            (2, f"q__importance__price=5&q__importance__brand=2&{gap}"),
            (3, "q__repurchase=4&q__nps=9"),
        ],
    )


def test_items_dashboard_ranks_items_and_flags_those_below_target(client, analyst):
    # given: price rated 2, 3, 4 (mean 3 → 60 %), every other item 4 (80 %)
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="full_satisfaction")
    )
    customer = CustomerFactory()
    for price, quality in ((2, 3), (3, 4), (4, 5)):
        full_satisfaction_response(survey, customer, price=price, quality_experienced=quality)
    client.force_login(analyst)
    # when
    response = client.get(reverse("analytics:items"), {**this_month(), "target": "80"})
    # then
    assert response.status_code == 200
    rows = [r["row"] for r in response.context["rows"]]
    assert rows[0].code == "price" and rows[0].satisfaction.value == pytest.approx(60.0)
    assert [r.code for r in rows if r.below_target] == ["price"]  # 80 is not below 80
    assert rows[1].satisfaction.value == pytest.approx(80.0)
    quality = next(r for r in rows if r.code == "product_quality")
    assert quality.expected.value == pytest.approx(5.0) and quality.gap == pytest.approx(-1.0)
    price = rows[0]
    assert price.importance.value == pytest.approx(5.0)
    page = response.content.decode()
    assert page.count("below target") == 1 and "-1.00" in page
    assert 'id="ranking"' in page and 'id="quadrant"' in page and 'id="gaps"' in page
    # a stricter target flags every item
    strict = client.get(reverse("analytics:items"), {**this_month(), "target": "90"})
    assert all(r["row"].below_target for r in strict.context["rows"])


def test_viewer_sees_every_dashboard_and_anonymous_is_sent_to_login(client, viewer, data):
    for url in DASHBOARDS:
        assert client.get(url).status_code == 302
        assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(viewer)
    for url in DASHBOARDS:
        assert client.get(url).status_code == 200, url


def test_charts_come_from_the_projects_own_static_files(client, analyst, data):
    client.force_login(analyst)
    for url in DASHBOARDS:
        page = client.get(url).content.decode()
        assert "/static/analytics/vendor/echarts/echarts.min.js" in page
        assert "http://" not in page.replace("http://testserver", "")
        assert "https://" not in page
    assert finders.find("analytics/vendor/echarts/echarts.min.js")
    assert finders.find("analytics/vendor/echarts/LICENSE")
    assert finders.find("analytics/charts.js")


def test_default_period_includes_today(client, analyst):
    from manyi.analytics.periods import default_period

    client.force_login(analyst)
    filters = client.get(reverse("analytics:overview")).context["filters"]
    assert (filters.since, filters.until) == default_period(timezone.localdate())
    assert filters.until == timezone.localdate()


def test_a_reversed_date_range_is_reported_and_the_default_used(client, analyst):
    client.force_login(analyst)
    response = client.get(
        reverse("analytics:overview"), {"since": "2026-05-01", "until": "2026-04-01"}
    )
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()
