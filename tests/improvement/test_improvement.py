"""Improvement actions: the check reproduces METHODS.md's worked example from real answers
(before/after, and the difference in differences against another region and against
everyone else), a recorded check moves the action (worked → act, no evidence → plan), the
scheduled check checks each action once, and complaint rates count fewer as better."""

import datetime as dt
from unittest import mock

import pytest
from django.http import QueryDict
from django.utils import timezone

from manyi.cases import services as case_services
from manyi.cases.choices import CaseType
from manyi.customers.models import Purchase
from manyi.improvement import services
from manyi.improvement.choices import Comparison, Metric, Stage, Verdict
from manyi.improvement.measure import measure, timeline
from manyi.improvement.models import Check, Improvement
from manyi.surveys.services import design
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import CustomerFactory

TODAY = dt.date.today()
BEFORE = (TODAY - dt.timedelta(days=70), TODAY - dt.timedelta(days=41))
AFTER = (TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=1))


@pytest.fixture
def survey(analyst):
    return design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )


def at(day: dt.date):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    return mock.patch("django.utils.timezone.now", return_value=moment)


def answers(survey, customer, day, satisfied: int, n: int):
    """`n` valid responses of `customer` on `day`, `satisfied` of them 5, the rest 3."""
    with at(day):
        for i in range(n):
            overall = 5 if i < satisfied else 3
            response = response_start(
                survey=survey, channel="link", language="en", customer=customer
            )
            data = f"q__overall={overall}" + ("&q__why_low=slow" if overall <= 3 else "")
            response_save_page(response=response, page=1, data=QueryDict(f"q__overall={overall}"))
            response_save_page(response=response, page=2, data=QueryDict(
                "q__repurchase=4" + data[len(f"q__overall={overall}"):]
            ))  # fmt: skip
            response_submit(response=response)


@pytest.fixture
def methods_example(survey):
    """METHODS.md: East 120/200 → 165/220; West 140/200 → 150/210."""
    east, west = CustomerFactory(region="East"), CustomerFactory(region="West")
    answers(survey, east, BEFORE[0] + dt.timedelta(days=3), 120, 200)
    answers(survey, east, AFTER[0] + dt.timedelta(days=3), 165, 220)
    answers(survey, west, BEFORE[0] + dt.timedelta(days=3), 140, 200)
    answers(survey, west, AFTER[0] + dt.timedelta(days=3), 150, 210)
    return survey


def action(**fields) -> Improvement:
    values = {
        "title": "Faster delivery in the East",
        "problem": "Delivery satisfaction lags in the East",
        "metric": Metric.CSAT,
        "scope": "region",
        "scope_value": "East",
        "comparison": Comparison.GROUP,
        "comparison_value": "West",
        "before_since": BEFORE[0],
        "before_until": BEFORE[1],
        "after_since": AFTER[0],
        "after_until": AFTER[1],
        "stage": Stage.DO,
    }
    return Improvement.objects.create(**(values | fields))


def test_before_after_and_difference_in_differences_reproduce_the_example(methods_example):
    m = measure(action())
    assert (m.treated_before.estimate.value, m.treated_before.estimate.n) == (60.0, 200)
    assert (m.treated_after.estimate.value, m.treated_after.estimate.n) == (75.0, 220)
    assert (m.comparison_before.estimate.value, m.comparison_before.estimate.n) == (70.0, 200)
    assert round(m.comparison_after.estimate.value, 2) == 71.43
    assert m.method == "did"
    assert round(m.effect.estimate, 2) == 13.57
    assert round(m.effect.se, 3) == 6.383
    assert (round(m.effect.interval.low, 2), round(m.effect.interval.high, 2)) == (1.06, 26.08)
    assert round(m.effect.z, 3) == 2.126
    assert round(m.effect.p_value, 4) == 0.0335
    assert m.effect.verdict == Verdict.WORKED
    # Everyone the action did not touch is West here: the same numbers, by subtraction.
    rest = measure(action(comparison=Comparison.REST, comparison_value=""))
    assert round(rest.effect.estimate, 2) == 13.57
    assert rest.comparison_after.estimate.n == 210
    # Before and after alone: the pooled two-proportion z-test.
    m = measure(action(comparison=Comparison.NONE, comparison_value=""))
    assert m.method == "before_after"
    assert m.comparison_before is None
    assert round(m.effect.estimate, 2) == 15.0
    assert round(m.effect.z, 3) == 3.287
    assert round(m.effect.p_value, 4) == 0.0010


def test_a_check_keeps_the_numbers_and_moves_the_action(methods_example, analyst):
    worked = action()
    record = services.check(worked, user=analyst)
    worked.refresh_from_db()
    assert record.verdict == Verdict.WORKED and worked.stage == Stage.ACT
    assert (record.treated_before, record.treated_after_n) == (60.0, 220)
    assert (round(record.low, 2), round(record.high, 2)) == (1.06, 26.08)
    assert worked.entries.last().stage_to == Stage.ACT
    # The same data seen from the West, against the East: −13.57 points, "worse".
    west = action(scope_value="West", comparison_value="East")
    assert services.check(west).verdict == Verdict.WORSE
    west.refresh_from_db()
    assert west.stage == Stage.PLAN  # back to plan
    # A check before the after window is over is refused.
    early = action(after_until=TODAY + dt.timedelta(days=29), after_since=TODAY)
    with pytest.raises(services.NotAllowed):
        services.check(early)


def test_no_evidence_sends_the_action_back_to_plan(survey):
    east = CustomerFactory(region="East")
    answers(survey, east, BEFORE[0] + dt.timedelta(days=2), 30, 50)
    answers(survey, east, AFTER[0] + dt.timedelta(days=2), 32, 50)
    flat = action(comparison=Comparison.NONE, comparison_value="")
    record = services.check(flat)
    flat.refresh_from_db()
    assert record.verdict == Verdict.NO_EVIDENCE
    assert flat.stage == Stage.PLAN


def test_the_scheduled_check_checks_each_due_action_once(survey):
    due = action()
    planned = action(stage=Stage.PLAN)
    running = action(
        after_since=TODAY - dt.timedelta(days=29),
        after_until=TODAY,
        before_since=BEFORE[0],
        before_until=BEFORE[0] + dt.timedelta(days=29),
    )
    assert services.check_due() == 1
    assert services.check_due() == 0  # run again (a retry after a crash): nothing twice
    assert Check.objects.filter(improvement=due).count() == 1
    assert not Check.objects.filter(improvement__in=[planned, running]).exists()


def test_a_stale_version_is_refused(survey):
    a = action()
    with pytest.raises(services.Changed):
        services.stage_move(a, Stage.PLAN, user=None, version=a.version + 1)
    with pytest.raises(services.NotAllowed):
        services.stage_move(a, Stage.ACT, user=None, version=a.version)  # do → act: no
    services.stage_move(a, Stage.CHECK, user=None, note="done", version=a.version)
    a.refresh_from_db()
    assert a.stage == Stage.CHECK and a.version == 2


def test_a_complaint_rate_counts_fewer_as_better(db):
    """Complaints per 100 customers who bought: East 30 of 100 buyers → 5 of 100, West
    30 → 29 of 100: the difference in differences is −24 points, an improvement."""

    def buyers_and_complaints(region, day, buyers, complaints):
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        for i in range(buyers):
            customer = CustomerFactory(region=region)
            Purchase.objects.create(customer=customer, purchased_at=moment, amount=10)
            if i < complaints:
                with at(day):
                    case_services.case_open(
                        customer=customer, case_type=CaseType.COMPLAINT, subject="late"
                    )

    buyers_and_complaints("East", BEFORE[0] + dt.timedelta(days=1), 100, 30)
    buyers_and_complaints("East", AFTER[0] + dt.timedelta(days=1), 100, 5)
    buyers_and_complaints("West", BEFORE[0] + dt.timedelta(days=1), 100, 30)
    buyers_and_complaints("West", AFTER[0] + dt.timedelta(days=1), 100, 29)
    m = measure(action(metric=Metric.COMPLAINT_RATE))
    assert (m.treated_before.estimate.value, m.treated_after.estimate.value) == (30.0, 5.0)
    assert m.treated_after.count == 5 and m.treated_after.estimate.n == 100
    assert round(m.effect.estimate, 2) == -24.0
    assert round(m.effect.se, 3) == round((30 + 5 + 30 + 29) ** 0.5, 3)  # Poisson variances
    assert m.effect.verdict == Verdict.WORKED  # fewer complaints: better
    line = timeline(action(metric=Metric.COMPLAINT_RATE), TODAY)
    assert line.period == "week"
    assert sum(e.n for e in line.treated) == 200  # the buyers of both windows, by week
    assert [what for what, _start in line.marks] == ["before", "after", "end"]
