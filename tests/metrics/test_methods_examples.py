"""Every worked example of shared/METHODS.md, reproduced from answer counts."""

import pytest

from manyi.metrics import counts as c
from manyi.metrics.intervals import t_interval, wilson
from manyi.metrics.scores import ItemInput, csat, csi, nps
from manyi.metrics.significance import two_proportion_z, welch_t


def test_csat_example():
    answers = c.from_values([5, 5, 4, 3, 2, 5, 4, 1, 5, 4])
    score = csat(answers, scale_max=5)
    assert score.percent.value == pytest.approx(70.0)
    assert score.mean.value == pytest.approx(3.8)
    assert score.mean_percent == pytest.approx(76.0)
    # Wilson interval of 7 of 10: 39.68 % to 89.22 %
    assert (score.percent.low, score.percent.high) == (
        pytest.approx(39.68, abs=0.005),
        pytest.approx(89.22, abs=0.005),
    )
    # t interval of the mean: sd 1.3984, n 10 -> 2.80 to 4.80
    assert c.moments(answers).sd == pytest.approx(1.3984, abs=1e-4)
    assert (score.mean.low, score.mean.high) == (
        pytest.approx(2.80, abs=0.005),
        pytest.approx(4.80, abs=0.005),
    )
    assert score.percent.n == 10 and not score.percent.reliable  # below 30


def test_wilson_and_t_directly():
    interval = wilson(7, 10)
    assert (round(interval.low * 100, 2), round(interval.high * 100, 2)) == (39.68, 89.22)
    interval = t_interval(3.8, 1.3984, 10)
    assert (round(interval.low, 2), round(interval.high, 2)) == (2.80, 4.80)


def test_nps_example():
    score = nps(c.from_values([10, 9, 9, 8, 7, 6, 5, 10, 3, 9]))
    assert (score.promoters, score.passives, score.detractors) == (5, 2, 3)
    assert score.score.value == pytest.approx(20.0)
    # var = (0.5 + 0.3 - 0.04) / 10 = 0.076 -> MoE = ±54.03 points
    assert score.margin == pytest.approx(54.03, abs=0.01)
    assert score.score.low == pytest.approx(20 - 54.03, abs=0.01)


def test_csi_example_and_the_item_to_improve_first():
    means = {"quality": (4.2, 0.30), "price": (3.6, 0.20), "delivery": (3.9, 0.15),
             "service_attitude": (4.5, 0.20), "after_sales": (4.0, 0.15)}  # fmt: skip
    # counts with exactly these means: tenths of 5s and 4s and 3s over 10 answers
    items = [ItemInput(code, weight, _counts_with_mean(m)) for code, (m, weight) in means.items()]
    result = csi(items)
    assert {i.code: round(i.satisfaction.value, 6) for i in result.items} == {
        "quality": 84, "price": 72, "delivery": 78, "service_attitude": 90, "after_sales": 80,
    }  # fmt: skip
    assert result.overall.value == pytest.approx(81.3)
    assert result.lowest.code == "price"
    assert [i.code for i in result.items][:2] == ["price", "delivery"]


def _counts_with_mean(mean: float) -> dict[int, int]:
    """Ten answers of 4 and 5 (or 3 and 4) whose mean is `mean` (one decimal)."""
    tenths = round(mean * 10)
    base = tenths // 10
    above = tenths - base * 10
    return {base + 1: above, base: 10 - above} if above else {base: 10}


def test_csat_change_example_is_not_significant():
    result = two_proportion_z(70, 100, 80, 100)
    assert result.statistic == pytest.approx(1.633, abs=0.001)
    assert result.p_value == pytest.approx(0.1025, abs=0.0001)
    assert not result.significant


def test_mean_change_example_is_not_significant():
    before = c.moments(c.from_values([3, 4, 4, 5, 2, 4, 3, 5, 4, 4]))
    after = c.moments(c.from_values([4, 5, 5, 5, 4, 4, 5, 3, 5, 5]))
    result = welch_t(before, after)
    assert result.statistic == pytest.approx(1.909, abs=0.001)
    assert result.p_value == pytest.approx(0.0734, abs=0.0001)
    assert not result.significant


def test_validity_example():
    from manyi.metrics.quality import is_valid_response

    assert is_valid_response(answered=6, shown=9)  # two thirds
    assert not is_valid_response(answered=5, shown=9)
