"""Evaluated items and the weighted index (CSI) through the database: the weights of the
version answered, items asked as separate questions, an item rated twice in one response,
the respondent-level interval (METHODS.md), and questionnaires with different weights."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from manyi.analytics import figures
from manyi.analytics.queries import Filters
from manyi.metrics.csi import Questionnaire, csi
from manyi.surveys.choices import QuestionType
from manyi.surveys.models import Dimension, Question, QuestionItem
from manyi.surveys.services import design
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.metrics.test_methods_examples import EIGHT, respondent_sums

EIGHT_ITEMS = [
    "product_quality", "price", "delivery", "service_attitude",
    "response_speed", "after_sales", "channels", "brand",
]  # fmt: skip


def this_month() -> dict:
    today = timezone.localdate()
    return {"since": today.replace(day=1).isoformat(), "until": today.isoformat()}


def survey_with(analyst, *questions, title="指标调查"):
    """An open survey of the given questions: ("matrix", code, {item: weight}, page) or
    ("rating", code, item, page)."""
    survey = design.survey_create(user=analyst, title_zh=title, title_en=title)
    dims = {d.code: d for d in Dimension.objects.all()}
    for position, (kind, code, what, page) in enumerate(questions, start=1):
        question = Question.objects.create(
            version=survey.current_version,
            code=code,
            page=page,
            position=position * 10,
            scale_max=5,
            text_zh=code,
            type=QuestionType.MATRIX if kind == "matrix" else QuestionType.CSAT,
            dimension=None if kind == "matrix" else dims[what],
        )
        if kind == "matrix":
            for i, (item, weight) in enumerate(what.items()):
                QuestionItem.objects.create(
                    question=question, dimension=dims[item], weight=Decimal(str(weight)), position=i
                )
    return design.survey_open(survey=survey)


def respond(survey, pages: dict[int, dict[str, int]]):
    """Answer page by page; `pages` maps a page to {"code" or "code__item": value}."""
    response = response_start(survey=survey, channel="link", language="en")
    for page, answers in sorted(pages.items()):
        data = QueryDict(urlencode({f"q__{name}": value for name, value in answers.items()}))
        response_save_page(response=response, page=page, data=data)
    assert response_submit(response=response).ok
    return response


def overview_csi(client, **params):
    response = client.get(reverse("analytics:overview"), {**this_month(), **params})
    assert response.status_code == 200
    cards = {c["label"]: c["now"] for c in response.context["cards"]}
    return cards["CSI (weighted)"], response.content.decode()


def items_page(client, **params):
    response = client.get(reverse("analytics:items"), {**this_month(), **params})
    assert response.status_code == 200
    rows = {r["row"].code: r["row"] for r in response.context["rows"]}
    return response.context["analysis"], rows, response.content.decode()


def test_the_weights_set_in_the_editor_reach_the_index(client, analyst):
    # given: quality 0.40, attitude 0.30, six others 0.05 (the items' defaults give 0.20 and
    # 0.15); one response rating quality 1 and every other item 5
    weights = {code: 0.05 for code in EIGHT_ITEMS}
    weights.update(product_quality=0.40, service_attitude=0.30)
    survey = survey_with(analyst, ("matrix", "items", weights, 1))
    respond(survey, {1: {f"items__{c}": 1 if c == "product_quality" else 5 for c in EIGHT_ITEMS}})
    client.force_login(analyst)
    # when
    index, _page = overview_csi(client)
    analysis, rows, _page = items_page(client)
    # then: 0.40 × 20 + 0.60 × 100 = 68.0 (with the default weights: 84.0)
    assert index.value == pytest.approx(68.0) and index.n == 1
    assert analysis.csi.value == pytest.approx(68.0)
    assert rows["product_quality"].weight == pytest.approx(0.40)
    assert not analysis.combined


def test_items_asked_as_separate_questions_count_for_their_item(client, analyst):
    # given: the post-purchase template asks delivery apart, the CES template the agent's
    # attitude (service_attitude); a third survey rates delivery and price in a matrix
    purchase = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )
    service = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="ces_service")
    )
    for delivery in (4, 5):
        respond(purchase, {1: {"overall": 4, "delivery": delivery}, 2: {"repurchase": 4}})
    respond(service, {1: {"ces": 6, "resolved": "yes", "agent_csat": 3}})
    client.force_login(analyst)
    # when
    analysis, rows, page = items_page(client)
    # then: delivery (80 + 100) / 2 = 90 %, n 2; attitude 60 %, n 1
    assert rows["delivery"].satisfaction.value == pytest.approx(90.0)
    assert rows["delivery"].satisfaction.n == 2
    assert rows["service_attitude"].satisfaction.value == pytest.approx(60.0)
    assert rows["service_attitude"].satisfaction.n == 1
    # no rating matrix, so no weights and no index (METHODS.md: weights are set in the matrix)
    assert analysis.csi.value is None
    # when: a survey with a matrix is answered too
    matrix = survey_with(analyst, ("matrix", "items", {"delivery": 0.5, "price": 0.5}, 1))
    respond(matrix, {1: {"items__delivery": 1, "items__price": 5}})
    analysis, rows, page = items_page(client)
    # then: delivery pools every respondent who rated it, (80 + 100 + 20) / 3, n 3; the index
    # is the matrix's alone, 0.5 × 20 + 0.5 × 100 = 60, n 1
    assert rows["delivery"].satisfaction.value == pytest.approx(200 / 3)
    assert rows["delivery"].satisfaction.n == 3
    assert analysis.csi.value == pytest.approx(60.0) and analysis.csi.n == 1
    assert not analysis.combined and "data-csi-combined" not in page


def test_an_item_rated_twice_in_one_response_counts_once_the_first_in_question_order(
    client, analyst
):
    # given: price in the page-1 matrix, again in a page-2 matrix and a page-2 rating
    survey = survey_with(
        analyst,
        ("matrix", "items", {"price": 0.5, "product_quality": 0.5}, 1),
        ("matrix", "again", {"price": 1}, 2),
        ("rating", "price_rating", "price", 2),
    )
    for _ in range(6):
        respond(
            survey,
            {
                1: {"items__price": 2, "items__product_quality": 4},
                2: {"again__price": 5, "price_rating": 4},
            },
        )
    client.force_login(analyst)
    # when
    analysis, rows, _page = items_page(client)
    # then: six respondents, n = 6 (not 12), the page-1 answer (2 -> 40 %) counts
    assert rows["price"].satisfaction.n == 6
    assert rows["price"].satisfaction.value == pytest.approx(40.0)
    assert analysis.csi.value == pytest.approx(60.0) and analysis.csi.n == 6


def test_an_item_outside_the_matrix_counts_for_itself_not_for_the_index(analyst):
    # given: price weighed in the matrix, delivery and attitude asked apart in the same
    # version; the second respondent rates no item of the matrix
    survey = survey_with(
        analyst,
        ("matrix", "items", {"price": 1}, 1),
        ("rating", "delivery", "delivery", 1),
        ("rating", "attitude", "service_attitude", 1),
    )
    respond(survey, {1: {"items__price": 4, "delivery": 5}})
    respond(survey, {1: {"delivery": 3, "attitude": 4}})
    today = timezone.localdate()
    # when
    analysis = figures.item_analysis(
        Filters(since=today.replace(day=1), until=today), language="en"
    )
    # then: the index is price's alone, over the one respondent who rated it
    assert analysis.csi.value == pytest.approx(80.0) and analysis.csi.n == 1
    rows = {r.code: r for r in analysis.rows}
    assert rows["delivery"].satisfaction.value == pytest.approx(80.0)
    assert rows["delivery"].satisfaction.n == 2 and rows["delivery"].weight == 0


def test_the_csi_interval_is_the_respondent_level_one_of_methods_md(client, analyst):
    # given: METHODS.md's eight respondents, weights 0.6 / 0.4
    survey = survey_with(analyst, ("matrix", "items", {"product_quality": 0.6, "price": 0.4}, 1))
    for quality, price in EIGHT:
        respond(survey, {1: {"items__product_quality": quality, "items__price": price}})
    client.force_login(analyst)
    # when
    index, page = overview_csi(client)
    # then: CSI 74.0 %, standard error 6.803, t(0.975, 7) -> 57.91-90.09 %
    assert index.value == pytest.approx(74.0) and index.n == 8
    assert (index.low, index.high) == (
        pytest.approx(57.91, abs=0.005),
        pytest.approx(90.09, abs=0.005),
    )
    assert "[57.9 – 90.1]" in page
    # the trend (grouped by month and by week in SQL) gives the same for this month
    filters = Filters(since=timezone.localdate().replace(day=1), until=timezone.localdate())
    (month,) = figures.trend(filters, "month")
    assert month.csi == index
    weeks = figures.trend(filters, "week")
    assert sum(p.csi.n for p in weeks) == 8


def test_respondents_who_skip_items_use_the_pairwise_covariances(analyst):
    # given: some respondents rate only one of the two items
    rows = [(5, 4), (4, None), (3, 2), (None, 5), (4, 3), (2, 3), (4, None), (3, 3), (1, 2)]
    survey = survey_with(analyst, ("matrix", "items", {"product_quality": 0.6, "price": 0.4}, 1))
    for quality, price in rows:
        answers = {"items__product_quality": quality, "items__price": price}
        respond(survey, {1: {k: v for k, v in answers.items() if v is not None}})
    today = timezone.localdate()
    # when
    headline = figures.headline(Filters(since=today.replace(day=1), until=today))
    # then: the same as the formula on sums computed here from the raw answers
    expected = csi(
        [
            Questionnaire(
                {"product_quality": 0.6, "price": 0.4},
                respondent_sums(rows, codes=("product_quality", "price")),
                len(rows),
            )
        ],
        min_n=30,
    )
    assert headline.csi.value == pytest.approx(expected.overall.value)
    assert headline.csi.low == pytest.approx(expected.overall.low)
    assert headline.csi.high == pytest.approx(expected.overall.high)
    assert headline.csi.n == 9


def test_questionnaires_with_different_weights_are_combined_by_respondents(client, analyst):
    # given: survey A weighs quality and price 0.5 / 0.5, survey B 0.9 / 0.1
    a = survey_with(
        analyst, ("matrix", "items", {"product_quality": 0.5, "price": 0.5}, 1), title="A"
    )
    b = survey_with(
        analyst, ("matrix", "items", {"product_quality": 0.9, "price": 0.1}, 1), title="B"
    )
    for _ in range(2):
        respond(a, {1: {"items__product_quality": 5, "items__price": 3}})  # 0.5×100+0.5×60
    respond(b, {1: {"items__product_quality": 1, "items__price": 5}})  # 0.9×20+0.1×100
    client.force_login(analyst)
    # when
    analysis, rows, page = items_page(client)
    # then: A's index 80 (2 respondents), B's 28 (1): (2 × 80 + 28) / 3 = 62.67, not the
    # 73.33 of pooled item scores under averaged weights
    assert analysis.csi.value == pytest.approx(188 / 3) and analysis.csi.n == 3
    assert sorted(p.index.value for p in analysis.weight_sets) == [
        pytest.approx(28.0),
        pytest.approx(80.0),
    ]
    # each item's weight is its average share of the respondents' index
    assert rows["product_quality"].weight == pytest.approx((2 * 0.5 + 0.9) / 3)
    assert "Product quality 90%, Price 10%" in page
    assert "average weighted by respondents" in page
    index, overview = overview_csi(client)
    assert index.value == pytest.approx(188 / 3) and "data-csi-combined" in overview
    # one survey at a time: its own weights only
    by_survey = client.get(reverse("analytics:breakdown", args=["survey"]), this_month())
    found = {r["name"]: r["row"].csi.value for r in by_survey.context["rows"]}
    assert found == {"A": pytest.approx(80.0), "B": pytest.approx(28.0)}


def test_nps_interval_keeps_its_width_at_minus_100(client, analyst):
    # given: five detractors
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="nps_relationship")
    )
    for score in (0, 3, 6, 2, 5):
        respond(survey, {1: {"nps": score}, 2: {"nps_reason": "x", "improve_first": "price"}})
    client.force_login(analyst)
    # when
    response = client.get(reverse("analytics:overview"), this_month())
    score = {c["label"]: c["now"] for c in response.context["cards"]}["NPS"]
    # then: -100 with the adjusted Wald interval -100 to -17.5 (the plain one: -100 to -100)
    assert score.value == -100 and score.low == -100
    assert score.high == pytest.approx(-17.49, abs=0.005)
