"""Issue 15, item 17: a relationship survey asked in monthly or quarterly waves. Each wave has
its own sample (once per wave, within the contact-frequency cap) and its own results, with
the change against the wave before and its significance."""

import datetime as dt
import math

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from manyi.analytics.waves import wave_results
from manyi.customers.models import Customer
from manyi.surveys.choices import WaveSchedule
from manyi.surveys.models import Invitation, Response, SurveyWave
from manyi.surveys.services import design
from manyi.surveys.services.distribution import distribution_create
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from manyi.surveys.services.waves import wave_for, wave_period, waves_start_due
from manyi.surveys.tasks import waves_start_due as waves_task
from tests.factories import ContactPointFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(analyst):
    survey = design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    survey.wave_schedule = WaveSchedule.MONTHLY
    survey.save(update_fields=["wave_schedule"])
    return design.survey_open(survey=survey)


def test_wave_periods():
    assert wave_period("monthly", dt.date(2026, 12, 5)) == (
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 31),
        "2026-12",
    )
    assert wave_period("quarterly", dt.date(2026, 11, 30)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        "2026 Q4",
    )
    assert wave_period("quarterly", dt.date(2026, 2, 1))[2] == "2026 Q1"


def test_the_scheduler_starts_each_wave_once(survey):
    assert waves_start_due() == 1
    assert waves_start_due() == 0  # a second run, or a run after a crash: nothing more
    waves_task.call()
    assert SurveyWave.objects.filter(survey=survey).count() == 1
    wave = SurveyWave.objects.get()
    assert (wave.number, wave.starts_on) == (1, timezone.localdate().replace(day=1))
    next_month = timezone.now() + dt.timedelta(days=32)
    assert wave_for(survey, next_month).number == 2
    assert wave_for(survey, next_month).pk == wave_for(survey, next_month).pk


def _customers(n):
    made = []
    for i in range(n):
        customer = CustomerFactory(consent_email=True)
        ContactPointFactory(customer=customer, kind="email", value=f"w{i}@example.com")
        made.append(customer)
    return Customer.objects.filter(pk__in=[c.pk for c in made])


def _send(survey, analyst, customers, when=None):
    return distribution_create(
        survey=survey, user=analyst, channel="email", customers=customers, filters={}, seed=1,
        send_after=when,
    )  # fmt: skip


def test_a_second_wave_invites_the_same_customers_again_within_the_cap(survey, analyst, settings):
    settings.MANYI_CONTACT_MIN_DAYS = 30
    customers = _customers(5)
    first = _send(survey, analyst, customers)
    assert first.summary["invited"] == 5 and first.wave.number == 1
    # the same wave again: each customer once per wave
    again = _send(survey, analyst, customers)
    assert again.summary["invited"] == 0 and again.summary["already_invited"] == 5
    # the next wave, but the first invitations went out today: the cap holds them back
    next_month = timezone.now() + dt.timedelta(days=32)
    held = _send(survey, analyst, customers, when=next_month)
    assert held.wave.number == 2
    assert held.summary["invited"] == 0 and held.summary["contacted_recently"] == 5
    # 40 days later the cap allows it: the next wave invites them again
    Invitation.objects.filter(distribution=first).update(
        sent_at=timezone.now() - dt.timedelta(days=40), status="sent"
    )
    Invitation.objects.filter(distribution=held).delete()
    second = _send(survey, analyst, customers, when=next_month)
    assert second.summary["invited"] == 5
    assert set(Invitation.objects.filter(wave=second.wave).values_list("customer", flat=True)) == {
        c.pk for c in customers
    }


def _answer(survey, score, invitation=None):
    response = response_start(survey=survey, channel="link", language="en", invitation=invitation)
    response_save_page(
        response=response, page=1, data=QueryDict(f"q__overall={score}&q__delivery=4")
    )
    response_save_page(response=response, page=2, data=QueryDict("q__repurchase=3"))
    assert response_submit(response=response).ok
    return response


def test_responses_belong_to_their_wave(survey, analyst):
    public = _answer(survey, 5)
    assert public.wave == wave_for(survey)
    customers = _customers(1)
    distribution = _send(survey, analyst, customers, when=timezone.now() + dt.timedelta(days=32))
    invitation = Invitation.objects.get(distribution=distribution)
    invited = _answer(survey, 4, invitation=invitation)
    assert invited.wave == distribution.wave != public.wave  # the invitation's wave


def test_each_wave_has_its_own_results_and_the_change_is_tested(client, survey, analyst):
    # wave 1: 5 of 10 satisfied (4-5); wave 2: 8 of 10
    for score in [5, 4, 4, 5, 4, 3, 2, 1, 3, 2]:
        _answer(survey, score)
    current = wave_for(survey)
    earlier_first, earlier_last, label = wave_period(
        "monthly", current.starts_on - dt.timedelta(days=1)
    )
    SurveyWave.objects.filter(pk=current.pk).update(number=2)
    first = SurveyWave.objects.create(
        survey=survey, number=1, label=label, starts_on=earlier_first, ends_on=earlier_last
    )
    Response.objects.filter(survey=survey).update(wave=first)
    for score in [5, 5, 4, 4, 5, 4, 4, 5, 2, 1]:
        _answer(survey, score)
    rows = wave_results(survey=survey, user=analyst)
    assert [r.wave.number for r in rows] == [1, 2]
    assert rows[0].csat.value == pytest.approx(50.0) and rows[0].csat.n == 10
    assert rows[1].csat.value == pytest.approx(80.0) and rows[1].csat.n == 10
    assert rows[1].csat_change == pytest.approx(30.0)
    # pooled two-proportion z by hand: p = 13/20, se = sqrt(.65 × .35 × (1/10 + 1/10))
    z = (0.8 - 0.5) / math.sqrt(0.65 * 0.35 * 0.2)
    p = 2 * (1 - 0.5 * (1 + math.erf(z / math.sqrt(2))))
    assert rows[1].csat_test.p_value == pytest.approx(p, abs=1e-9)
    assert rows[1].csat_test.significant is False  # p ≈ 0.16
    assert rows[0].csat_test is None
    client.force_login(analyst)
    page = client.get(reverse("surveys:waves", args=[survey.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-wave="2"' in html and "不显著" in html
    assert f"p = {p:.4f}" in html


def test_the_schedule_is_set_in_the_survey_settings(client, analyst):
    survey = design.survey_create_from_blueprint(user=analyst, key="nps_relationship")
    client.force_login(analyst)
    url = reverse("surveys:edit", args=[survey.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "按季度分期" in page
    data = {"title_zh": survey.title_zh, "validity_percent": "66.67", "wave_schedule": "quarterly"}
    assert client.post(url, data).status_code == 302
    survey.refresh_from_db()
    assert survey.wave_schedule == WaveSchedule.QUARTERLY
    detail = client.get(survey.get_absolute_url()).content.decode()
    assert reverse("surveys:waves", args=[survey.pk]) in detail  # the Waves tab
