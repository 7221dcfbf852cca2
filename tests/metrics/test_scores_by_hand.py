"""Hand-computed cases beyond METHODS.md: other scales, edges, and the tests' guard rails."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manyi.metrics import counts as c
from manyi.metrics.behaviour import churn_rate, complaint_rate, repurchase_rate, return_rate
from manyi.metrics.csi import Questionnaire, csi, item_sums
from manyi.metrics.drivers import (
    FIX_FIRST,
    KEEP_UP,
    LOW_PRIORITY,
    POSSIBLE_OVERKILL,
    pearson,
    quadrants,
    shapley_r2,
)
from manyi.metrics.scores import ces, csat, gap, item_satisfaction, nps
from manyi.metrics.significance import benjamini_hochberg, nps_change, two_proportion_z


def test_seven_and_ten_point_scales_use_their_own_top_two_boxes():
    seven = csat({7: 2, 6: 3, 5: 5}, scale_max=7)
    ten = csat({10: 1, 9: 1, 8: 8}, scale_max=10)
    assert seven.percent.value == pytest.approx(50.0)
    assert ten.percent.value == pytest.approx(20.0)
    assert ten.mean_percent == pytest.approx(83.0)  # mean (10 + 9 + 8 × 8) / 10 = 8.3


def test_nothing_answered_gives_empty_figures_not_zeroes():
    assert csat({}).percent.value is None
    assert nps({}).score.value is None and nps({}).margin is None
    assert ces({}).mean.n == 0
    assert csi([Questionnaire({"price": 1.0}, (item_sums("price", {}),), 0)]).overall.value is None


def test_ces_mean_and_easy_share():
    # 7,7,6,5,4,3,2 -> mean 34/7, easy (5-7) 4 of 7
    score = ces(c.from_values([7, 7, 6, 5, 4, 3, 2]))
    assert score.mean.value == pytest.approx(34 / 7)
    assert score.easy.value == pytest.approx(400 / 7)


def test_nps_all_promoters_has_no_spread():
    score = nps({10: 40})
    assert score.score.value == 100 and score.margin == 0
    assert score.score.reliable


def test_item_satisfaction_is_the_hundred_eighty_sixty_points_method():
    # 很满意 3, 满意 4, 一般 2, 不满意 1 -> (300 + 320 + 120 + 40) / 10 = 78 points
    assert item_satisfaction({5: 3, 4: 4, 3: 2, 2: 1}).value == pytest.approx(78.0)


def test_csi_renormalises_weights_of_items_without_answers_and_flags_targets():
    sums = (item_sums("a", {5: 10}), item_sums("b", {3: 10}), item_sums("c", {}))
    result = csi([Questionnaire({"a": 0.5, "b": 0.3, "c": 0.2}, sums, 10)], target=80)
    # (100 × 0.5 + 60 × 0.3) / 0.8 = 85
    assert result.overall.value == pytest.approx(85.0)
    assert [(i.code, i.below_target) for i in result.items] == [
        ("b", True), ("a", False), ("c", False),
    ]  # fmt: skip


def test_gap_is_experience_minus_expectation():
    result = gap({5: 6, 4: 4}, {4: 5, 3: 5})  # 4.6 expected, 3.5 experienced
    assert result.gap == pytest.approx(-1.1)
    assert result.high < 0  # a shortfall, clearly


def test_nps_change_and_proportion_edges():
    # 50/20 of 400 -> 60/15 of 400: +15 points
    result = nps_change((200, 80, 400), (240, 60, 400))
    assert result.significant
    assert two_proportion_z(0, 0, 1, 10).p_value is None
    assert not two_proportion_z(10, 10, 20, 20).significant  # no spread, undecidable


def test_benjamini_hochberg_by_hand():
    # sorted p: .001 .008 .039 .041 .042 .06 .074 .205 ; m = 8, q = .05
    p = [0.039, 0.001, 0.205, 0.008, 0.041, 0.042, 0.06, 0.074]
    result = benjamini_hochberg(p)
    assert result.significant == (False, True, False, True, False, False, False, False)
    assert result.adjusted[1] == pytest.approx(0.008)
    assert result.adjusted[3] == pytest.approx(0.032)
    assert result.adjusted[0] == pytest.approx(0.0672)


def test_shapley_shares_sum_to_r2_and_find_the_real_driver():
    import random

    rng = random.Random(3)
    rows, overall = [], []
    for _ in range(300):
        quality, price, brand = (rng.gauss(0, 1) for _ in range(3))
        rows.append([quality, price, brand])
        overall.append(2.0 * quality + 0.5 * price + rng.gauss(0, 1))
    result = shapley_r2(rows, overall)
    assert sum(result.shares) == pytest.approx(result.r2)
    assert result.shares[0] > result.shares[1] > result.shares[2]
    assert sum(result.relative) == pytest.approx(1.0)
    assert result.correlations[0] > 0.8


def test_shapley_with_two_identical_items_splits_evenly():
    rows = [[x, x] for x in range(10)]
    result = shapley_r2(rows, [2 * x + 1 for x in range(10)])
    assert result.r2 == pytest.approx(1.0)
    assert result.shares[0] == pytest.approx(result.shares[1]) == pytest.approx(0.5)


def test_quadrants_by_the_mean_crosshair():
    placed = quadrants(
        [("quality", 4.7, 70), ("price", 4.4, 60), ("channels", 3.0, 80), ("brand", 3.2, 55)]
    )
    assert {p.code: p.quadrant for p in placed} == {
        "quality": KEEP_UP, "price": FIX_FIRST, "channels": POSSIBLE_OVERKILL,
        "brand": LOW_PRIORITY,
    }  # fmt: skip


def test_behavioural_rates():
    assert return_rate(4, 100).value == pytest.approx(4.0)
    assert repurchase_rate(30, 120).value == pytest.approx(25.0)
    assert churn_rate(0, 0).value is None
    # More complaints than customers: a rate per 100 customers, with its Poisson interval
    # (issue 15: it used to be a "150 %" share with no interval).
    many = complaint_rate(150, 100)
    assert many.value == pytest.approx(150.0) and many.n == 100
    assert (many.low, many.high) == (
        pytest.approx(126.96, abs=0.01),
        pytest.approx(176.02, abs=0.01),
    )
    assert complaint_rate(10, 100).low is not None


def test_pearson_needs_variation():
    assert pearson([1, 1, 1], [1, 2, 3]) is None
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)


@given(st.dictionaries(st.integers(1, 5), st.integers(0, 50), min_size=1))
def test_csat_interval_contains_the_estimate(counts):
    score = csat(counts)
    if score.percent.value is not None:
        assert score.percent.low - 1e-9 <= score.percent.value <= score.percent.high + 1e-9
        assert score.percent.low >= 0 and score.percent.high <= 100


@given(st.dictionaries(st.integers(0, 10), st.integers(0, 50), min_size=1))
def test_nps_stays_in_range(counts):
    score = nps(counts)
    if score.score.value is not None:
        assert -100 <= score.score.low <= score.score.high <= 100
        assert not math.isnan(score.margin)
        # The adjusted Wald interval is centred on the adjusted NPS: from two answers on it
        # holds the plain NPS; one promoter alone (+100) gets -48.5 to 98.5.
        if score.n >= 2:
            assert score.score.low - 1e-9 <= score.score.value <= score.score.high + 1e-9


def test_item_interval_stays_within_the_scale():
    few = item_satisfaction({5: 2, 4: 1})  # mean 4.67 of 5, n 3: a t interval passes 5
    assert few.high == 100.0 and few.low >= 20.0


def test_gap_intervals_stay_within_the_five_point_scale():
    # experienced 2, 4, 4, 5, 5, 5: mean 4.17, and a t interval up to 5.39 on a 1-5 scale
    result = gap({5: 6}, {2: 1, 4: 2, 5: 3})
    assert result.experienced.value == pytest.approx(25 / 6)
    assert result.experienced.high == 5.0 and result.experienced.low >= 1.0
    assert result.gap == pytest.approx(25 / 6 - 5)
    assert -4.0 <= result.low <= result.high <= 4.0


def test_gap_on_a_seven_point_scale_and_a_wide_gap_interval():
    # n = 2 each: Welch's interval of the gap is far wider than the scale allows
    result = gap({1: 1, 7: 1}, {7: 2}, scale_max=7)
    assert result.gap == pytest.approx(3.0)
    assert (result.low, result.high) == (pytest.approx(-6.0), pytest.approx(6.0))
    assert result.expected.low == 1.0 and result.expected.high == 7.0


def test_means_stay_within_their_scale():
    assert csat({5: 9, 4: 1}).mean.high == 5.0  # t interval 4.67-5.13 before clipping
    assert ces({7: 3, 6: 1}).mean.high == 7.0
    assert csat({1: 3, 2: 1}, scale_max=5).mean.low == 1.0


def test_csi_of_questionnaires_with_different_weights_is_averaged_by_respondents():
    from scipy import stats

    # given: 4 respondents scoring item a 100, 80, 60, 80 % (their questionnaire weighs only
    # a); 2 respondents scoring b 40, 60 % (weighing only b). Each index is its one item.
    first = Questionnaire({"a": 1.0}, (item_sums("a", {5: 1, 4: 2, 3: 1}),), 4)
    second = Questionnaire({"b": 0.3}, (item_sums("b", {2: 1, 3: 1}),), 2)
    # when
    result = csi([first, second])
    # then: (4 × 80 + 2 × 50) / 6 = 70; Var = (4/6)² × 266.67/4 + (2/6)² × 200/2, with
    # Satterthwaite's degrees of freedom
    a, b = (4 / 6) ** 2 * (800 / 3) / 4, (2 / 6) ** 2 * 200 / 2
    df = (a + b) ** 2 / (a * a / 3 + b * b / 1)
    margin = stats.t.ppf(0.975, df) * math.sqrt(a + b)
    assert result.combined and result.overall.value == pytest.approx(70.0)
    assert result.overall.n == 6
    assert (result.overall.low, result.overall.high) == (
        pytest.approx(70 - margin),
        pytest.approx(70 + margin),
    )
    # each item's weight: its share of the index, averaged over respondents
    assert {i.code: i.weight for i in result.items} == {
        "a": pytest.approx(4 / 6),
        "b": pytest.approx(2 / 6),
    }
