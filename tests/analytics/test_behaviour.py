"""Behavioural indicators on a constructed set of records, every number counted by hand."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.analytics import behaviour
from manyi.analytics.queries import Filters
from manyi.customers.choices import InteractionKind
from tests.factories import CustomerFactory, InteractionFactory, PurchaseFactory, SegmentFactory

MARCH = Filters(since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31))


def at(y, m, d, hour=12):
    return timezone.make_aware(dt.datetime(y, m, d, hour))


@pytest.fixture
def records(team_east, team_west):
    """Period: March 2026 (Asia/Shanghai days).

    c1 (A, 上海, east): bought 2025-12-10, 03-05 (returned), 03-20; one complaint
    c2 (A, 上海, east): bought 03-10 and 07-01 (113 days later); two complaints
    c3 (B, 北京, east): bought 2025-06-01 only; an inquiry in March -> lost
    c4 (B, 北京, east): bought 2024-01-01 (too long ago), 03-31 late evening, 04-15
    c5 (no segment or region, east): a complaint, no order
    w1 (A, 上海, west): bought 03-12 (returned); a complaint handled by team East
    """
    a, b = SegmentFactory(name="A"), SegmentFactory(name="B")
    c1 = CustomerFactory(segment=a, region="上海", team=team_east)
    c2 = CustomerFactory(segment=a, region="上海", team=team_east)
    c3 = CustomerFactory(segment=b, region="北京", team=team_east)
    c4 = CustomerFactory(segment=b, region="北京", team=team_east)
    c5 = CustomerFactory(segment=None, region="", team=team_east)
    w1 = CustomerFactory(segment=a, region="上海", team=team_west)
    for customer, when, returned in [
        (c1, at(2025, 12, 10), False),
        (c1, at(2026, 3, 5), True),
        (c1, at(2026, 3, 20), False),
        (c2, at(2026, 3, 10), False),
        (c2, at(2026, 7, 1), False),
        (c3, at(2025, 6, 1), False),
        (c4, at(2024, 1, 1), False),
        (c4, at(2026, 3, 31, 23), False),
        (c4, at(2026, 4, 15), False),
        (w1, at(2026, 3, 12), True),
    ]:
        PurchaseFactory(customer=customer, purchased_at=when, returned=returned)
    complaint = InteractionKind.COMPLAINT
    InteractionFactory(customer=c1, kind=complaint, occurred_at=at(2026, 3, 6))
    InteractionFactory(customer=c2, kind=complaint, occurred_at=at(2026, 3, 11))
    InteractionFactory(customer=c2, kind=complaint, occurred_at=at(2026, 3, 12))
    InteractionFactory(customer=c2, kind=complaint, occurred_at=at(2026, 4, 2))  # April
    InteractionFactory(customer=c3, kind=InteractionKind.INQUIRY, occurred_at=at(2026, 3, 2))
    InteractionFactory(customer=c5, kind=complaint, occurred_at=at(2026, 3, 3))
    InteractionFactory(customer=w1, kind=complaint, team=team_east, occurred_at=at(2026, 3, 13))
    return {"a": a, "b": b}


def test_overall_rates_for_everyone(records, admin_user):
    # when
    rates = behaviour.indicators(MARCH.for_user(admin_user), user=admin_user)
    # then: active customers c1 c2 c3 c4 c5 w1; orders c1×2 c2 c4 w1
    assert rates.tally == behaviour.Tally(
        customers=6,
        orders=5,
        complaints=5,
        complainants=4,  # c1, c2 (twice), c5, w1
        returned=2,
        buyers=4,
        bought_again=2,
        at_start=2,
        lost=1,
    )
    assert rates.complaints_per_customer.value == pytest.approx(5 / 6 * 100)
    assert rates.complaints_per_order.value == pytest.approx(100.0)
    assert rates.returns.value == pytest.approx(40.0)
    assert rates.repurchase.value == pytest.approx(50.0)
    assert rates.churn.value == pytest.approx(50.0)
    # Wilson interval of 2 of 5, by hand: centre 0.4588, margin 0.3421
    assert rates.returns.low == pytest.approx(11.76, abs=0.01)
    assert rates.returns.high == pytest.approx(76.93, abs=0.01)
    assert rates.returns.n == 5 and not rates.returns.reliable


def test_repurchase_window_is_a_parameter(records, admin_user):
    rates = behaviour.indicators(MARCH, user=admin_user, window_days=120)
    # c2's second order (113 days later) now counts too
    assert (rates.tally.bought_again, rates.tally.buyers) == (3, 4)
    rates = behaviour.indicators(MARCH, user=admin_user, window_days=10)
    # c1 again after 15 days, c4 after 15 days: neither within 10
    assert rates.tally.bought_again == 0


def test_agent_sees_only_their_teams_customers(records, agent):
    rates = behaviour.indicators(MARCH.for_user(agent), user=agent)
    # w1 (West) drops out, and so does the complaint East handled for w1
    assert rates.tally == behaviour.Tally(
        customers=5,
        orders=4,
        complaints=4,
        complainants=3,
        returned=1,
        buyers=3,
        bought_again=2,
        at_start=2,
        lost=1,
    )
    assert rates.repurchase.value == pytest.approx(200 / 3)


def test_by_segment_and_region(records, admin_user):
    by_segment = {
        r.label: r.tally for r in behaviour.indicators_by(MARCH, "segment", user=admin_user)
    }
    assert by_segment["A"] == behaviour.Tally(
        customers=3,
        orders=4,
        complaints=4,
        complainants=3,
        returned=2,
        buyers=3,
        bought_again=1,
        at_start=1,
        lost=0,
    )
    assert by_segment["B"] == behaviour.Tally(
        customers=2,
        orders=1,
        complaints=0,
        returned=0,
        buyers=1,
        bought_again=1,
        at_start=1,
        lost=1,
    )
    assert by_segment[""] == behaviour.Tally(customers=1, complaints=1, complainants=1)
    by_region = behaviour.indicators_by(MARCH, "region", user=admin_user)
    assert [r.label for r in by_region] == ["上海", "北京", ""]
    assert by_region[1].churn.value == pytest.approx(100.0)
    # a segment filter narrows the overall figures the same way
    only_b = behaviour.indicators(
        Filters(since=MARCH.since, until=MARCH.until, segment_id=records["b"].pk), user=admin_user
    )
    assert only_b.tally == by_segment["B"]


def test_by_month(records, admin_user):
    filters = Filters(since=dt.date(2026, 2, 1), until=dt.date(2026, 3, 31))
    february, march = behaviour.indicators_by_month(filters, user=admin_user)
    assert (february.key, march.key) == (dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    # c1 and c3 bought in the year before February and not in it
    assert (february.tally.at_start, february.tally.lost, february.tally.orders) == (2, 2, 0)
    assert february.churn.value == pytest.approx(100.0)
    assert march.tally == behaviour.indicators(MARCH, user=admin_user).tally


def test_no_records_gives_empty_estimates(db, admin_user):
    rates = behaviour.indicators(MARCH, user=admin_user)
    assert rates.returns.value is None and rates.churn.n == 0


def test_page_shows_scoped_figures(client, records, agent):
    client.force_login(agent)
    page = client.get(
        reverse("behaviour:indicators"), {"since": "2026-03-01", "until": "2026-03-31"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "25.0" in text  # East's return rate, 1 of 4
    assert "66.7" in text  # East's repurchase rate, 2 of 3
    assert "indicative only" in text  # every n here is below 30


def test_page_needs_login(client, db):
    page = client.get(reverse("behaviour:indicators"))
    assert page.status_code == 302


def test_bad_period_falls_back_with_a_message(client, records, viewer):
    client.force_login(viewer)
    page = client.get(
        reverse("behaviour:indicators"), {"since": "2026-03-31", "until": "2026-03-01"}
    )
    assert page.status_code == 200
    assert "cannot end before it starts" in page.content.decode()


def test_complaints_per_customer_are_a_rate_per_100_with_a_poisson_interval(db, admin_user):
    # given: five customers who bought in March, six complaints (one customer twice)
    customers = [CustomerFactory() for _ in range(5)]
    for customer in customers:
        PurchaseFactory(customer=customer, purchased_at=at(2026, 3, 2))
        InteractionFactory(
            customer=customer, kind=InteractionKind.COMPLAINT, occurred_at=at(2026, 3, 3)
        )
    InteractionFactory(
        customer=customers[0], kind=InteractionKind.COMPLAINT, occurred_at=at(2026, 3, 4)
    )
    # when
    rates = behaviour.indicators(MARCH, user=admin_user)
    # then: 120 complaints per 100 customers (it was shown as "120 %" with no interval), with
    # the exact Poisson interval of 6 events, [2.2019, 13.0595] / 5 customers (Garwood tables)
    per_customer = rates.complaints_per_customer
    assert per_customer.value == pytest.approx(120.0) and per_customer.n == 5
    assert per_customer.low == pytest.approx(44.04, abs=0.01)
    assert per_customer.high == pytest.approx(261.19, abs=0.01)
    assert rates.complaints_per_order.value == pytest.approx(120.0)  # five orders
    # and every customer complained: 5 of 5, Wilson 56.55-100 %
    assert rates.tally.complainants == 5
    assert rates.complainants.value == pytest.approx(100.0)
    assert rates.complainants.low == pytest.approx(56.55, abs=0.01)


def test_the_page_names_complaints_a_rate_per_100(client, records, viewer):
    client.force_login(viewer)
    page = client.get(
        reverse("behaviour:indicators"), {"since": "2026-03-01", "until": "2026-03-31"}
    ).content.decode()
    assert "Complaints per 100 customers" in page and "Customers who complained (%)" in page
    assert "Complaints per customer (%)" not in page
    # 5 complaints per 6 customers = 83.3 per 100, with its Poisson interval [27.1 – 194.5]
    assert '83.3 <span class="interval">[27.1 – 194.5]</span>' in page


def test_a_month_not_over_is_marked_and_has_no_churn(records, admin_user):
    # given: today is 15 March 2026
    filters = Filters(since=dt.date(2026, 2, 1), until=dt.date(2026, 3, 31))
    today = dt.date(2026, 3, 15)
    # when
    february, march = behaviour.indicators_by_month(filters, user=admin_user, today=today)
    overall = behaviour.indicators(MARCH, user=admin_user, today=today)
    # then: February is whole and over; March is not over: no churn rate, marked
    assert february.complete and february.churn.value == pytest.approx(100.0)
    assert not march.complete and march.churn.value is None
    assert march.returns.value == pytest.approx(40.0)  # rates of what happened still shown
    # the whole period is not over either: its churn is kept, but marked as such
    assert not overall.complete and overall.churn.value == pytest.approx(50.0)
    # a month cut by the period is not a whole month either
    (cut,) = behaviour.indicators_by_month(
        Filters(since=dt.date(2026, 3, 10), until=dt.date(2026, 3, 31)), user=admin_user
    )
    assert not cut.complete and cut.churn.value is None


def test_the_page_marks_the_current_month(client, records, viewer):
    client.force_login(viewer)
    today = timezone.localdate()
    page = client.get(
        reverse("behaviour:indicators"),
        {"since": today.replace(day=1).isoformat(), "until": today.isoformat()},
    ).content.decode()
    assert "incomplete month" in page and "this is an upper bound" in page


def test_a_period_ending_at_the_end_of_the_calendar_is_refused_not_a_crash(client, viewer):
    """Found by the URL fuzz test: 9999-12-31 has no next day; the page says the date is
    out of range and shows the default period."""
    client.force_login(viewer)
    page = client.get(reverse("behaviour:indicators"), {"until": "9999-12-31"})
    assert page.status_code == 200
    assert "Ensure this value is less than or equal to 2999-12-31" in page.content.decode()
