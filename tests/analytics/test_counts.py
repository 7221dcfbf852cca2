"""The count tables: filled incrementally, rebuilt from scratch, and read together with the
live tail, they always give the same numbers as the answers themselves."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from manyi.analytics import counts
from manyi.analytics.models import AnswerRollup, FillState, ResponseRollup
from manyi.analytics.queries import (
    Filters,
    Selector,
    answer_counts,
    period_start,
    response_totals,
)
from manyi.surveys.models import Response
from manyi.surveys.services import design
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import CustomerFactory


@pytest.fixture
def survey(analyst):
    return design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )


def answer(survey, overall, *, customer=None, channel="link", repurchase=None, **start):
    response = response_start(
        survey=survey, channel=channel, language="en", customer=customer, **start
    )
    response_save_page(response=response, page=1, data=QueryDict(f"q__overall={overall}"))
    if repurchase:
        page2 = f"q__repurchase={repurchase}" + ("&q__why_low=slow" if overall <= 3 else "")
        response_save_page(response=response, page=2, data=QueryDict(page2))
    response_submit(response=response)
    return response


def overall(filters=None, **kwargs):
    return answer_counts(filters or Filters(), Selector(("overall",)), **kwargs).get(None, {})


def an_hour_ago():
    return mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() - dt.timedelta(hours=1)
    )


def test_live_tail_counts_valid_answers_only(survey):
    # given: valid responses answer two of three shown questions; one of them does not
    answer(survey, 5, repurchase="5")
    answer(survey, 2, repurchase="1")
    answer(survey, 4)  # one of three shown: invalid, kept but not counted
    # then
    assert overall() == {5: 1, 2: 1}
    assert response_totals(Filters())[None].submitted == 3
    assert response_totals(Filters())[None].valid == 2


def test_fill_then_tail_equals_the_answers_and_fill_is_idempotent(survey):
    with an_hour_ago():
        answer(survey, 5, repurchase="5")
        answer(survey, 4, repurchase="4")
    counts.fill()
    assert AnswerRollup.objects.filter(question_code="overall", cut="", grain="d").count() == 2
    counts.fill()  # again: nothing added twice
    assert (
        sum(
            AnswerRollup.objects.filter(question_code="overall", cut="", grain="d").values_list(
                "count", flat=True
            )
        )
        == 2
    )
    # a response submitted after the watermark comes from the live tail
    answer(survey, 5, repurchase="5")
    assert overall() == {5: 2, 4: 1}
    options = answer_counts(Filters(), Selector(("repurchase",), options=True))[None]
    assert options == {"5": 2, "4": 1}


def test_rebuild_gives_what_incremental_fills_gave(survey):
    for score in (5, 4, 2):
        answer(survey, score, repurchase="3")
    counts.fill(now=timezone.now() + dt.timedelta(hours=1))
    incremental = sorted(
        AnswerRollup.objects.values_list("question_code", "value", "option", "count")
    )
    counts.rebuild(now=timezone.now() + dt.timedelta(hours=1))
    assert (
        sorted(AnswerRollup.objects.values_list("question_code", "value", "option", "count"))
        == incremental
    )
    assert ResponseRollup.objects.exists() and FillState.objects.get().filled_until


def test_fill_stops_short_of_now_so_late_commits_are_not_lost(survey):
    answer(survey, 5, repurchase="5")
    counts.fill()  # now: the response is younger than the lag
    assert not AnswerRollup.objects.exists()
    assert overall() == {5: 1}  # still counted, live


def test_cuts_and_access_scope(survey, team_east, team_west, agent):
    east = CustomerFactory(team=team_east, region="上海")
    west = CustomerFactory(team=team_west, region="广东")
    answer(survey, 5, customer=east, channel="sms", repurchase="5")
    answer(survey, 1, customer=west, channel="email", repurchase="1")
    answer(survey, 3, repurchase="3")  # anonymous: no team
    assert overall(Filters(region="广东")) == {1: 1}
    assert overall(Filters(channel="sms")) == {5: 1}
    assert overall(Filters(team_id=team_west.pk)) == {1: 1}
    assert overall(Filters().for_user(agent)) == {5: 1}
    by_team = answer_counts(Filters(), Selector(("overall",)), group_by="team")
    assert by_team == {team_east.pk: {5: 1}, team_west.pk: {1: 1}, 0: {3: 1}}


def test_days_are_local_and_periods_group_them(survey, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # 2026-03-31 17:30 UTC is already April 1st in Shanghai
    moment = dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        answer(survey, 4, repurchase="4")
    by_month = answer_counts(Filters(), Selector(("overall",)), group_by="month")
    assert by_month == {dt.date(2026, 4, 1): {4: 1}}
    assert overall(Filters(since=dt.date(2026, 4, 1), until=dt.date(2026, 4, 1))) == {4: 1}
    assert overall(Filters(until=dt.date(2026, 3, 31))) == {}


def test_product_and_staff_cuts_come_from_what_the_invitation_was_about(survey, agent):
    from manyi.surveys.models import Invitation
    from tests.factories import InteractionFactory, PurchaseItemFactory

    # given one answer about a purchase, one about a contact the agent handled, one
    # interview the agent entered, and one about nothing in particular
    item = PurchaseItemFactory()
    bought = Invitation.objects.create(
        survey=survey, customer=item.purchase.customer, channel="sms", purchase=item.purchase
    )
    handled = InteractionFactory(handled_by=agent)
    served = Invitation.objects.create(
        survey=survey, customer=handled.customer, channel="sms", interaction=handled
    )
    answer(survey, 5, channel="sms", repurchase="5", invitation=bought)
    answer(survey, 2, channel="sms", repurchase="2", invitation=served)
    answer(survey, 4, channel="phone", repurchase="4", entered_by=agent)
    answer(survey, 3, repurchase="3")
    # then
    by_product = answer_counts(Filters(), Selector(("overall",)), group_by="product")
    assert by_product == {item.product_id: {5: 1}, 0: {2: 1, 4: 1, 3: 1}}
    by_staff = answer_counts(Filters(), Selector(("overall",)), group_by="staff")
    assert by_staff == {agent.pk: {2: 1, 4: 1}, 0: {5: 1, 3: 1}}
    assert overall(Filters(staff_id=agent.pk)) == {2: 1, 4: 1}
    counts.fill(now=timezone.now() + dt.timedelta(hours=1))
    assert overall(Filters(product_id=item.product_id)) == {5: 1}


def test_a_fill_between_two_reads_neither_drops_nor_doubles_a_response(survey):
    with an_hour_ago():
        answer(survey, 5, repurchase="5")
    assert overall() == {5: 1}  # live
    counts.fill()
    assert overall() == {5: 1}  # from the rollups, and not again from the tail
    assert response_totals(Filters())[None].submitted == 1


def test_the_tail_read_before_is_extended_by_what_was_submitted_after_it(survey):
    """Under steady traffic a page reads only the responses submitted since the tail was
    last read, and adds their rows to the rows kept (`tail`)."""
    answer(survey, 5, repurchase="5")
    answer(survey, 4, repurchase="4")
    assert overall() == {5: 1, 4: 1}  # the tail read whole, its rows kept
    latest = Response.objects.latest("submitted_at").submitted_at
    answer(survey, 5, repurchase="3")
    with mock.patch.object(counts, "answers_grouped", wraps=counts.answers_grouped) as read:
        assert overall() == {5: 2, 4: 1}
        by_month = answer_counts(Filters(), Selector(("overall",)), group_by="month")
        assert by_month == {period_start(timezone.localdate(), "month"): {5: 2, 4: 1}}
    where, params = read.call_args_list[0].args[:2]
    assert "r.submitted_at > %s" in where.split("r.submitted_at <= %s")[-1]
    assert params[-1] in (latest, connection.ops.adapt_datetimefield_value(latest))
    assert response_totals(Filters())[None].submitted == 3
    options = answer_counts(Filters(), Selector(("repurchase",), options=True))[None]
    assert options == {"5": 1, "4": 1, "3": 1}


def test_a_response_that_commits_late_makes_the_tail_read_again(survey):
    first = answer(survey, 5, repurchase="5")
    first.refresh_from_db()
    answer(survey, 4, repurchase="4")
    assert overall() == {5: 1, 4: 1}
    late = answer(survey, 2, repurchase="1")
    # submitted before the latest response the kept rows hold, committed after they were read
    Response.objects.filter(pk=late.pk).update(
        submitted_at=first.submitted_at + dt.timedelta(microseconds=1)
    )
    with mock.patch.object(counts, "answers_grouped", wraps=counts.answers_grouped) as read:
        assert overall() == {5: 1, 4: 1, 2: 1}
    where = read.call_args.args[0]
    assert "r.submitted_at > %s" not in where.split("r.submitted_at <= %s")[-1]
