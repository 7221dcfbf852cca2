"""Issue 15, item 11: the survey lifecycle as a newcomer meets it: the typed title wins over
the template's; opening and closing ask for confirmation and say what will happen; the lock
message says why the questions are locked."""

import pytest
from django.urls import reverse
from django.utils import timezone

from manyi.surveys.choices import InvitationStatus, ResponseStatus, SurveyStatus
from manyi.surveys.models import Invitation, Response, Survey
from manyi.surveys.services import design
from tests.factories import CustomerFactory, InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            {"title_zh": "2026 年双十一回访", "title_en": "Singles' Day follow-up"},
            ("2026 年双十一回访", "Singles' Day follow-up"),
        ),
        ({"title_zh": "门店回访", "title_en": ""}, ("门店回访", "")),
        ({"title_zh": "", "title_en": "Store follow-up"}, ("Store follow-up", "Store follow-up")),
    ],
)
def test_the_typed_title_wins_over_the_templates(client, analyst, typed, expected):
    client.force_login(analyst)
    response = client.post(reverse("surveys:create"), {"blueprint": "csat_purchase", **typed})
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert (survey.title_zh, survey.title_en) == expected
    assert survey.current_version.questions.exists()  # the template's questions


def test_an_empty_title_takes_the_templates(client, analyst):
    client.force_login(analyst)
    client.post(reverse("surveys:create"), {"blueprint": "csat_purchase"})
    survey = Survey.objects.get()
    assert survey.title_zh and survey.title_en


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_opening_asks_first_and_says_what_happens(client, analyst, language):
    survey = design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    client.force_login(analyst)
    url = reverse("surveys:open", args=[survey.pk])
    # the detail page links to a confirmation, it does not open in one click
    detail = client.get(survey.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    assert f'href="{url}"' in detail.content.decode()
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert ("lock the questions" if language == "en" else "锁定此版本的题目") in page
    n = survey.current_version.questions.count()
    assert (f"answer its {n} questions" if language == "en" else f"回答问卷的 {n} 道题目") in page
    # a POST without the confirmation (an old form, a replay) only shows the page again
    assert client.post(url).status_code == 200
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT
    client.post(url, {"confirmed": "yes"})
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN


def test_closing_asks_first_with_the_numbers(client, analyst):
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )
    InvitationFactory.create_batch(2, survey=survey, status=InvitationStatus.PENDING, sent_at=None)
    sent = InvitationFactory.create_batch(3, survey=survey)
    Response.objects.create(
        survey=survey,
        version=survey.current_version,
        channel="link",
        language="zh-hans",
        invitation=sent[0],
        customer=sent[0].customer,
        status=ResponseStatus.IN_PROGRESS,
        started_at=timezone.now(),
        last_saved_at=timezone.now(),
    )
    client.force_login(analyst)
    url = reverse("surveys:close", args=[survey.pk])
    page = client.get(url).content.decode()
    assert "1 respondent who started and did not submit can no longer finish" in page
    assert "2 invitations waiting to be sent will not be sent" in page
    assert "3 sent invitations not yet answered will get no reminders" in page
    client.post(url)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    client.post(url, {"confirmed": "yes"})
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED
    assert Invitation.objects.filter(survey=survey).count() == 5


def test_the_lock_message_is_true_right_after_opening(client, analyst):
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )
    client.force_login(analyst)
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "locked when the survey opened" in page
    assert "no response has been saved yet" in page
    assert "refer to these questions" not in page
    customer = CustomerFactory()
    for _ in range(2):
        Response.objects.create(
            survey=survey,
            version=survey.current_version,
            channel="link",
            language="zh-hans",
            customer=customer,
            status=ResponseStatus.SUBMITTED,
            started_at=timezone.now(),
            last_saved_at=timezone.now(),
            submitted_at=timezone.now(),
        )
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "2 responses refer to these questions" in page


def test_the_funnel_shows_valid_responses_beside_the_valid_rate(client, analyst):
    # issue 15: "valid 0" beside "valid rate 100 %" when every response came by the link
    survey = design.survey_open(
        survey=design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    )
    now = timezone.now()
    for _ in range(3):
        Response.objects.create(
            survey=survey,
            version=survey.current_version,
            channel="link",
            language="zh-hans",
            status=ResponseStatus.SUBMITTED,
            is_valid=True,
            started_at=now,
            last_saved_at=now,
            submitted_at=now,
        )
    client.force_login(analyst)
    page = client.get(reverse("surveys:responses", args=[survey.pk])).content.decode()
    assert 'data-figure="all_valid">3<' in page
    assert 'data-figure="all_completed">3<' in page
    assert 'data-figure="valid_rate">100.0 %<' in page
    assert "Invitation funnel: only responses to invitations" in page
