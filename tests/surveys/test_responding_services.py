"""Answering a survey through the services: per-page saving, validation that never corrupts
what is stored, skip logic, validity, and submitting exactly once."""

import pytest
from django.http import QueryDict

from manyi.surveys.choices import QuestionType, ResponseStatus
from manyi.surveys.models import Answer, Dimension, Question, QuestionItem
from manyi.surveys.services import design
from manyi.surveys.services.responding import (
    TamperedInput,
    response_save_page,
    response_start,
    response_submit,
)


def qd(text: str) -> QueryDict:
    return QueryDict(text)


@pytest.fixture
def survey(analyst):
    survey = design.survey_create_from_blueprint(user=analyst, key="csat_purchase")
    return design.survey_open(survey=survey)


@pytest.fixture
def full(analyst):
    survey = design.survey_create_from_blueprint(user=analyst, key="full_satisfaction")
    return design.survey_open(survey=survey)


def _start(survey, **kwargs):
    return response_start(survey=survey, channel="link", language="en", **kwargs)


def _stored(response) -> dict:
    return {
        (a.question.code, a.dimension.code if a.dimension else None, a.role): (
            a.number,
            a.text,
            a.choices,
        )
        for a in Answer.objects.filter(response=response).select_related("question", "dimension")
    }


def test_pages_are_saved_and_replaced(survey):
    # given
    response = _start(survey)
    # when
    first = response_save_page(response=response, page=1, data=qd("q__overall=4&q__delivery=5"))
    again = response_save_page(response=response, page=1, data=qd("q__overall=5"))
    # then
    assert first.ok and again.ok
    assert _stored(response) == {("overall", None, "value"): (5, "", [])}
    response.refresh_from_db()
    assert (response.shown_count, response.answered_count) == (3, 1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ("q__overall=6", "q__overall", "Choose a value from 1 to 5."),
        ("q__overall=0", "q__overall", "Choose a value from 1 to 5."),
        ("q__overall=abc", "q__overall", "Choose one of the points of the scale."),
        ("q__delivery=5", "q__overall", "Please answer this question."),
    ],
)
def test_bad_values_are_explained_and_stored_answers_stay(survey, data, field, message):
    # given a saved page
    response = _start(survey)
    response_save_page(response=response, page=1, data=qd("q__overall=2&q__delivery=3"))
    before = _stored(response)
    # when
    parsed = response_save_page(response=response, page=1, data=qd(data))
    # then
    assert parsed.errors[field] == message
    assert _stored(response) == before


@pytest.mark.parametrize(
    "data", ["q__nope=1", "q__overall=2&q__overall=3", "q__why_low=x", "q__overall__price=3"]
)
def test_tampered_forms_are_rejected_whole(survey, data):
    response = _start(survey)
    response_save_page(response=response, page=1, data=qd("q__overall=2"))
    before = _stored(response)
    with pytest.raises(TamperedInput):
        response_save_page(response=response, page=1, data=qd(data))
    assert _stored(response) == before


def test_text_is_limited_and_cleaned(survey):
    response = _start(survey)
    response_save_page(response=response, page=1, data=qd("q__overall=1"))
    too_long = response_save_page(response=response, page=2, data={"q__why_low": ["x" * 2001]})
    assert "under 2000 characters" in too_long.errors["q__why_low"]
    cleaned = response_save_page(
        response=response, page=2, data={"q__why_low": ["  late\x00 delivery\x07  "]}
    )
    assert cleaned.ok
    assert _stored(response)[("why_low", None, "value")][1] == "late delivery"


def test_choice_must_be_one_of_the_options(survey):
    response = _start(survey)
    response_save_page(response=response, page=1, data=qd("q__overall=1"))
    parsed = response_save_page(response=response, page=2, data=qd("q__repurchase=9"))
    assert parsed.errors == {"q__repurchase": "Choose from the options shown."}


def test_skip_logic_hides_and_drops_answers_when_an_earlier_answer_changes(survey):
    # given a low score, the "why" question is shown and answered
    response = _start(survey)
    response_save_page(response=response, page=1, data=qd("q__overall=2"))
    assert response_save_page(response=response, page=2, data=qd("q__why_low=slow")).ok
    # when the respondent goes back and gives a high score
    response_save_page(response=response, page=1, data=qd("q__overall=5"))
    result = response_submit(response=response)
    # then the hidden question's answer is not part of the response
    assert result.submitted_now
    assert ("why_low", None, "value") not in _stored(response)
    response.refresh_from_db()
    assert (response.shown_count, response.answered_count) == (3, 1)


def test_answers_to_hidden_questions_are_not_stored(survey):
    response = _start(survey)
    response_save_page(response=response, page=1, data=qd("q__overall=5"))
    parsed = response_save_page(response=response, page=2, data=qd("q__why_low=x&q__repurchase=5"))
    assert parsed.ok
    assert ("why_low", None, "value") not in _stored(response)


def test_submit_requires_the_required_questions_and_says_where(full):
    response = _start(full)
    response_save_page(response=response, page=1, data=qd("q__overall=4"))  # matrix missing
    # page 1 was refused as a whole: the matrix is required
    result = response_submit(response=response)
    assert not result.ok
    assert result.missing == {1: ["overall", "items"], 3: ["repurchase", "nps"]}
    assert response.status == ResponseStatus.IN_PROGRESS


def test_matrix_and_expectation_rows_are_stored_per_item(full):
    response = _start(full)
    items = "&".join(
        f"q__items__{code}={score}"
        for code, score in [
            ("product_quality", 4),
            ("price", 3),
            ("delivery", 5),
            ("service_attitude", 5),
            ("response_speed", 4),
            ("after_sales", 4),
            ("channels", 3),
            ("brand", 4),
        ]
    )
    assert response_save_page(response=response, page=1, data=qd(f"q__overall=4&{items}")).ok
    parsed = response_save_page(
        response=response,
        page=2,
        data=qd("q__gap__delivery__expected=5&q__gap__delivery__experienced=3"),
    )
    assert parsed.ok
    stored = _stored(response)
    assert stored[("items", "price", "value")][0] == 3
    assert stored[("gap", "delivery", "expected")][0] == 5
    assert stored[("gap", "delivery", "experienced")][0] == 3


def test_validity_follows_the_surveys_threshold(analyst):
    # given a survey of three optional questions
    survey = design.survey_create(user=analyst, title_zh="测试")
    for i, code in enumerate(["a", "b", "c"]):
        Question.objects.create(
            version=survey.current_version,
            code=code,
            position=i,
            type=QuestionType.CES,
            text_zh=code,
        )
    design.survey_open(survey=survey)
    # when one response answers two and another one of three
    two, one = _start(survey), _start(survey)
    response_save_page(response=two, page=1, data=qd("q__a=5&q__b=6"))
    response_save_page(response=one, page=1, data=qd("q__a=5"))
    response_submit(response=two)
    response_submit(response=one)
    # then two of three (exactly two thirds) is valid, one of three is kept but invalid
    two.refresh_from_db()
    one.refresh_from_db()
    assert (two.is_valid, one.is_valid) == (True, False)
    assert one.status == ResponseStatus.SUBMITTED


def test_submitting_twice_changes_nothing(survey):
    response = _start(survey)
    response_save_page(response=response, page=1, data=qd("q__overall=4"))
    first = response_submit(response=response)
    submitted_at = first.response.submitted_at
    second = response_submit(response=response)
    later_save = response_save_page(response=response, page=1, data=qd("q__overall=1"))
    assert first.submitted_now and not second.submitted_now and second.ok
    assert later_save.ok  # accepted as input, but a submitted response is never changed
    response.refresh_from_db()
    assert response.submitted_at == submitted_at
    assert _stored(response)[("overall", None, "value")][0] == 4


def test_a_response_locks_its_version_and_keeps_it(analyst):
    survey = design.survey_create_from_blueprint(user=analyst, key="nps_relationship")
    design.survey_open(survey=survey)
    old_version = survey.current_version
    response = _start(survey)
    new_version = design.version_create_next(survey=survey)
    design.version_publish(survey=survey, version=new_version)
    response.refresh_from_db()
    old_version.refresh_from_db()
    assert response.version == old_version and old_version.is_locked
    assert _start(survey).version == new_version


def test_invitation_answers_once_and_anonymous_surveys_drop_the_customer(analyst):
    from tests.factories import CustomerFactory

    survey = design.survey_create_from_blueprint(user=analyst, key="ces_service")
    survey.anonymous = True
    survey.save()
    design.survey_open(survey=survey)
    from manyi.surveys.models import Invitation

    invitation = Invitation.objects.create(
        survey=survey, customer=CustomerFactory(), channel="email", address="a@example.com"
    )
    first = response_start(
        survey=survey, channel="email", language="zh-hans", invitation=invitation
    )
    second = response_start(
        survey=survey, channel="email", language="zh-hans", invitation=invitation
    )
    assert first.pk == second.pk
    assert first.customer is None


def test_matrix_weights_come_from_the_dimension_defaults(full):
    quality = Dimension.objects.get(code="product_quality")
    item = QuestionItem.objects.get(
        question__version=full.current_version, question__code="items", dimension=quality
    )
    assert item.weight == quality.default_weight
