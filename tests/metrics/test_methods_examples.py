"""Every worked example of shared/METHODS.md, reproduced from answer counts."""

import math

import pytest

from manyi.metrics import counts as c
from manyi.metrics import effects
from manyi.metrics.csi import PairSums, Questionnaire, csi, item_sums
from manyi.metrics.intervals import t_interval, wilson
from manyi.metrics.scores import csat, nps
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
    # The interval shown is the adjusted Wald one: e = 15.38, half-width 45.71 ->
    # -30.33 to +61.10 around the plain NPS +20 (METHODS.md, updated).
    assert (score.score.low, score.score.high) == (
        pytest.approx(-30.33, abs=0.005),
        pytest.approx(61.10, abs=0.005),
    )


def test_nps_adjusted_wald_example_all_detractors():
    # 50 answers, all detractors: NPS -100, interval -100 to -86.64; the plain formula
    # would give -100 to -100.
    score = nps({3: 50})
    assert score.score.value == -100 and score.score.n == 50
    assert score.margin == 0  # the plain margin of error collapses
    assert score.score.low == -100.0
    assert score.score.high == pytest.approx(-86.64, abs=0.005)


def test_csi_example_and_the_item_to_improve_first():
    means = {"quality": (4.2, 0.30), "price": (3.6, 0.20), "delivery": (3.9, 0.15),
             "service_attitude": (4.5, 0.20), "after_sales": (4.0, 0.15)}  # fmt: skip
    # counts with exactly these means: tenths of 5s and 4s and 3s over 10 answers
    result = csi(
        [
            Questionnaire(
                {code: weight for code, (_m, weight) in means.items()},
                tuple(item_sums(code, _counts_with_mean(m)) for code, (m, _w) in means.items()),
                respondents=10,
            )
        ]
    )
    assert {i.code: round(i.satisfaction.value, 6) for i in result.items} == {
        "quality": 84, "price": 72, "delivery": 78, "service_attitude": 90, "after_sales": 80,
    }  # fmt: skip
    assert result.overall.value == pytest.approx(81.3)
    assert result.lowest.code == "price"
    assert [i.code for i in result.items][:2] == ["price", "delivery"]


# METHODS.md: weights 0.6 / 0.4; eight respondents rate (quality, price).
EIGHT = [(5, 4), (4, 4), (3, 2), (5, 5), (4, 3), (2, 3), (4, 5), (3, 3)]


def respondent_sums(rows, codes=("quality", "price"), scale_max=5) -> tuple[PairSums, ...]:
    """What the database returns for these respondents: per pair of items i <= j, the n who
    rated both and the sums of x_i, x_j and x_i·x_j (x in % of the scale)."""
    scored = [[v * 100 / scale_max if v is not None else None for v in row] for row in rows]
    sums = []
    for i, a in enumerate(codes):
        for j in range(i, len(codes)):
            both = [r for r in scored if r[i] is not None and r[j] is not None]
            sums.append(
                PairSums(
                    a, codes[j], len(both),
                    sum(r[i] for r in both), sum(r[j] for r in both),
                    sum(r[i] * r[j] for r in both), 100 / scale_max,
                )
            )  # fmt: skip
    return tuple(sums)


def test_csi_interval_example_is_respondent_level():
    result = csi([Questionnaire({"quality": 0.6, "price": 0.4}, respondent_sums(EIGHT), 8)])
    scores = {i.code: i.satisfaction.value for i in result.items}
    assert scores == {"quality": pytest.approx(75.0), "price": pytest.approx(72.5)}
    assert result.overall.value == pytest.approx(74.0) and result.overall.n == 8
    # respondent scores 92, 80, 52, 100, 72, 48, 88, 60 -> standard error 6.803
    (part,) = result.parts
    assert part.variance**0.5 == pytest.approx(6.803, abs=0.0005)
    # t(0.975, 7) = 2.3646 -> 57.91 to 90.09 %
    assert (result.overall.low, result.overall.high) == (
        pytest.approx(57.91, abs=0.005),
        pytest.approx(90.09, abs=0.005),
    )


def test_csi_interval_example_treating_items_as_independent_is_too_narrow():
    # The same data without the cross-products: standard error 5.318 (METHODS.md).
    diagonal = tuple(s for s in respondent_sums(EIGHT) if s.a == s.b)
    (part,) = csi([Questionnaire({"quality": 0.6, "price": 0.4}, diagonal, 8)]).parts
    assert part.variance**0.5 == pytest.approx(5.318, abs=0.0005)


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


def test_improvement_action_before_after_example():
    # treated region 120/200 = 60.0 % before, 165/220 = 75.0 % after -> pooled z = 3.287
    effect = effects.before_after_shares((120, 200), (165, 220))
    assert effect.estimate == pytest.approx(15.0)
    assert effect.z == pytest.approx(3.287, abs=5e-4)
    assert effect.p_value == pytest.approx(0.0010, abs=5e-5)
    assert effect.verdict == effects.Verdict.WORKED


def test_improvement_action_difference_in_differences_example():
    # comparison 140/200 = 70.0 % -> 150/210 = 71.43 %: effect = 15.00 - 1.43 = 13.57 points,
    # SE = 6.383 points, 95 % interval 1.06 to 26.08, z = 2.126, p = 0.0335 -> "worked"
    effect = effects.difference_in_differences(
        effects.share(120, 200),
        effects.share(165, 220),
        effects.share(140, 200),
        effects.share(150, 210),
    )
    assert effect.estimate == pytest.approx(13.57, abs=0.005)
    assert effect.se == pytest.approx(6.383, abs=5e-4)
    assert (effect.interval.low, effect.interval.high) == (
        pytest.approx(1.06, abs=0.005),
        pytest.approx(26.08, abs=0.005),
    )
    assert effect.z == pytest.approx(2.126, abs=5e-4)
    assert effect.p_value == pytest.approx(0.0335, abs=5e-5)
    assert effect.verdict == effects.Verdict.WORKED


def test_improvement_action_verdicts_follow_the_interval_and_the_metric_direction():
    flat = effects.difference_in_differences(
        effects.share(120, 200),
        effects.share(130, 200),
        effects.share(140, 200),
        effects.share(145, 200),
    )
    assert flat.interval.low < 0 < flat.interval.high
    assert flat.verdict == effects.Verdict.NO_EVIDENCE
    fell = effects.before_after_shares((165, 220), (120, 200))
    assert fell.verdict == effects.Verdict.WORSE
    # complaints per 100 customers: lower is better, and a count per customer is a rate
    fewer = effects.before_after(
        effects.rate(90, 1000), effects.rate(40, 1000), higher_is_better=False
    )
    assert fewer.estimate == pytest.approx(-5.0)
    assert fewer.se == pytest.approx(100 * math.sqrt(90 + 40) / 1000)
    assert fewer.verdict == effects.Verdict.WORKED
    # means: Σ s²/n over the cells
    before, after = (
        c.moments(c.from_values([3, 4, 4, 5, 2, 4, 3, 5, 4, 4])),
        c.moments(c.from_values([4, 5, 5, 5, 4, 4, 5, 3, 5, 5])),
    )
    moved = effects.before_after(effects.mean(before), effects.mean(after))
    assert moved.estimate == pytest.approx(0.7)
    assert moved.se == pytest.approx(math.sqrt(before.sd**2 / 10 + after.sd**2 / 10))
    assert (
        effects.difference_in_differences(
            effects.share(1, 10), None, effects.share(2, 10), effects.share(3, 10)
        ).verdict
        == effects.Verdict.UNDECIDED
    )
