"""The case figures, computed in the database, against a small history worked out by hand."""

import datetime as dt

import pytest
from django.urls import reverse

from manyi.cases import services
from manyi.cases.calendars import default_calendar
from manyi.cases.choices import CaseType, EntryKind, Source, Status
from manyi.cases.figures import case_figures
from manyi.cases.models import Case, Category
from tests.factories import CustomerFactory, PurchaseFactory

from .test_cases import at, clock


@pytest.fixture
def history(agent, analyst):
    default_calendar()
    category = Category.objects.create(name_zh="配送", name_en="Delivery")
    a = CustomerFactory(team=agent.team, region="上海")
    b = CustomerFactory(team=agent.team, region="北京")
    c = CustomerFactory(team=agent.team, region="北京")
    for customer in (a, b, c):
        PurchaseFactory(customer=customer, purchased_at=at(2026, 11, 20, 10))

    def complaint(customer, **kwargs):
        with clock(at(2026, 12, 1, 9)):  # Tuesday 09:00
            return services.case_open(
                customer=customer, case_type=CaseType.COMPLAINT, subject="x", owner=agent,
                **kwargs,
            ).case  # fmt: skip

    def reply(case, moment):
        with clock(moment):
            services.case_note(case, user=agent, body="on it", kind=EntryKind.REPLY,
                               reply_channel="phone")  # fmt: skip

    def resolve(case, moment):
        case = Case.objects.get(pk=case.pk)
        with clock(moment):
            return services.case_status(
                case, version=case.version, user=agent, status=Status.RESOLVED, resolution="ok"
            )

    first = complaint(a, category=category)
    reply(first, at(2026, 12, 1, 10))  # 1 working hour
    resolve(first, at(2026, 12, 1, 11))  # 2 working hours: within 24
    Case.objects.filter(pk=first.pk).update(recovery_score=5)
    second = complaint(b, category=category, source=Source.INTERACTION)
    reply(second, at(2026, 12, 2, 9))  # 8 working hours: later than 4
    resolve(second, at(2026, 12, 2, 10))
    Case.objects.filter(pk=second.pk).update(reopened_count=1)
    complaint(c)  # still open
    return {"a": a, "b": b, "c": c}


def test_case_figures_reproduce_a_history_worked_out_by_hand(history, analyst):
    f = case_figures(analyst, dt.date(2026, 11, 1), dt.date(2026, 12, 31), "en")
    assert f.complaints == 3 and f.customers_buying == 3
    assert f.complaint_rate.value == pytest.approx(100.0)
    assert f.complaint_rate.low < 100 < f.complaint_rate.high  # exact Poisson interval
    assert (f.response_times.n, f.response_times.median, f.response_times.p90) == (
        2, pytest.approx(4.5), pytest.approx(7.3)
    )  # fmt: skip
    assert f.resolution_times.n == 2 and f.resolution_times.median == pytest.approx((2 + 9) / 2)
    assert (f.response_on_time.value, f.response_on_time.n) == (pytest.approx(50.0), 2)
    assert f.resolution_on_time.value == pytest.approx(100.0)
    assert (f.handling_rate.value, f.handling_rate.n) == (pytest.approx(200 / 3), 3)
    assert f.reopen_rate.value == pytest.approx(50.0)
    assert (f.handling_satisfaction.value, f.handling_satisfaction.n) == (100.0, 1)
    assert f.by_category[0][:2] == ("Delivery", 2)
    regions = {name: (n, r.value) for name, n, r in f.by_region}
    assert regions == {"北京": (2, pytest.approx(100.0)), "上海": (1, pytest.approx(100.0))}
    # by month: 3 complaints in December; 3 orders in November, none in December
    assert [(m, n, r.value) for m, n, r in f.by_month] == [
        (dt.date(2026, 11, 1), 0, 0.0), (dt.date(2026, 12, 1), 3, None)
    ]  # fmt: skip
    assert f.by_product == []  # no complaint names a purchase


def test_complaints_by_product_per_100_buyers(history, analyst):
    """Two kettle buyers, one complains about the kettle order: 50 per 100 buyers."""
    from manyi.cases.models import Case
    from tests.factories import ProductFactory, PurchaseItemFactory

    kettle = ProductFactory(name="Kettle")
    orders = [
        PurchaseItemFactory(product=kettle, purchase__customer=history[k],
                            purchase__purchased_at=at(2026, 11, 21, 10)).purchase
        for k in ("a", "b")
    ]  # fmt: skip
    Case.objects.filter(customer=history["a"]).update(purchase=orders[0])
    f = case_figures(analyst, dt.date(2026, 11, 1), dt.date(2026, 12, 31), "en")
    ((name, n, r),) = f.by_product
    assert (name, n, r.count, r.base, r.value) == ("Kettle", 1, 1, 2, pytest.approx(50.0))


def test_the_figures_page_in_both_languages(client, history, agent):
    client.force_login(agent)
    page = client.get(reverse("cases:figures"), {"since": "2026-11-01", "until": "2026-12-31"})
    assert page.status_code == 200 and "Reopen rate" in page.content.decode()
    page = client.get(reverse("cases:figures"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200


def test_silent_dissatisfaction_counts_unhappy_respondents_who_never_complained(history, analyst):
    from manyi.surveys.services import design

    from .test_cases import answer_nps

    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="nps_relationship")
    )
    quiet = CustomerFactory(team=history["a"].team)
    with clock(at(2026, 12, 3, 10)):
        answer_nps(survey, history["a"], 3)  # unhappy, and complained (a staff-logged case)
        answer_nps(survey, quiet, 2)  # unhappy, never complained
        answer_nps(survey, history["b"], 9)  # happy
    f = case_figures(analyst, dt.date(2026, 11, 1), dt.date(2026, 12, 31), "en")
    assert (f.silent_dissatisfaction.value, f.silent_dissatisfaction.n) == (50.0, 2)


def test_recovery_loyalty_compares_resolved_unresolved_and_never_complained(history, analyst):
    """a and b complained on 1 Dec and were resolved, c's complaint is open, d never
    complained. After the complaint (d: after the first purchase), a and c bought again
    and d did; a gave NPS 10, c 2, d 9; b's 3 came before the complaint and does not count."""
    from manyi.cases.figures import recovery_loyalty
    from manyi.surveys.services import design

    from .test_cases import answer_nps

    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="nps_relationship")
    )
    a, b, c = history["a"], history["b"], history["c"]
    d = CustomerFactory(team=a.team)
    PurchaseFactory(customer=d, purchased_at=at(2026, 11, 20, 10))
    PurchaseFactory(customer=d, purchased_at=at(2026, 11, 25, 10))
    PurchaseFactory(customer=a, purchased_at=at(2026, 12, 5, 10))
    PurchaseFactory(customer=c, purchased_at=at(2026, 12, 10, 10))
    PurchaseFactory(customer=b, purchased_at=at(2026, 11, 28, 10))  # before the complaint
    for customer, score, moment in (
        (a, 10, at(2026, 12, 3, 10)),
        (b, 3, at(2026, 11, 25, 10)),
        (c, 2, at(2026, 12, 4, 10)),
        (d, 9, at(2026, 12, 1, 10)),
    ):
        with clock(moment):
            answer_nps(survey, customer, score)  # fmt: skip
    rows = {
        r.group: r for r in recovery_loyalty(analyst, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    }
    assert [rows[g].customers for g in ("resolved", "unresolved", "never")] == [2, 1, 1]
    assert (rows["resolved"].bought_again.value, rows["resolved"].bought_again.n) == (50.0, 2)
    assert rows["unresolved"].bought_again.value == 100.0
    assert rows["never"].bought_again.value == 100.0
    assert (rows["resolved"].nps.value, rows["resolved"].nps.n) == (100.0, 1)
    assert (rows["unresolved"].nps.value, rows["never"].nps.value) == (-100.0, 100.0)
