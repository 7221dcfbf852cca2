"""Designing surveys: templates, opening, versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from manyi.surveys.answering import ITEM_TYPES
from manyi.surveys.blueprints import BLUEPRINTS
from manyi.surveys.choices import QuestionType, SurveyStatus
from manyi.surveys.models import Answer, Dimension, Question, Response
from manyi.surveys.services.design import (
    LOCKED,
    draft_version,
    question_delete,
    question_move,
    question_save,
    question_validate,
    survey_close,
    survey_create,
    survey_create_from_blueprint,
    survey_open,
    version_create_next,
    version_publish,
)


@pytest.mark.parametrize("key", list(BLUEPRINTS))
def test_each_template_makes_a_survey_whose_questions_validate(analyst, key):
    # when
    survey = survey_create_from_blueprint(user=analyst, key=key)

    # then
    questions = list(survey.current_version.questions.prefetch_related("items"))
    assert len(questions) == len(BLUEPRINTS[key].questions)
    assert survey.status == SurveyStatus.DRAFT and survey.blueprint == key
    assert survey.title_zh and survey.title_en and survey.intro_zh and survey.intro_en
    for question in questions:
        items = list(question.items.all()) if question.type in ITEM_TYPES else None
        question_validate(question, items=items)  # raises if not
        assert question.text_zh and question.text_en
        if question.type in ITEM_TYPES:
            assert items


def test_full_template_rates_every_seeded_item_with_its_default_weight(analyst):
    survey = survey_create_from_blueprint(user=analyst, key="full_satisfaction")
    matrix = survey.current_version.questions.get(code="items")
    weights = {i.dimension.code: i.weight for i in matrix.items.select_related("dimension")}
    assert weights == {d.code: d.default_weight for d in Dimension.objects.filter(code__in=weights)}
    assert len(weights) == 8


def test_a_survey_without_questions_does_not_open(analyst):
    survey = survey_create(user=analyst, title_zh="空问卷")
    with pytest.raises(ValidationError):
        survey_open(survey=survey)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT


def test_opening_locks_the_version_and_closing_keeps_it_locked(analyst):
    survey = survey_create_from_blueprint(user=analyst, key="ces_service")

    survey_open(survey=survey)
    survey_close(survey=survey)

    survey.refresh_from_db()
    assert survey.status == SurveyStatus.CLOSED and survey.closed_at is not None
    assert survey.current_version.is_locked


def test_a_new_version_copies_questions_and_items_and_publishing_keeps_old_answers(analyst):
    # given an open survey with one answer on version 1
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="full_satisfaction"))
    old = survey.current_version
    now = timezone.now()
    response = Response.objects.create(
        survey=survey,
        version=old,
        channel="link",
        language="zh-hans",
        started_at=now,
        last_saved_at=now,
    )
    overall = old.questions.get(code="overall")
    Answer.objects.create(response=response, question=overall, number=4)

    # when
    new = version_create_next(survey=survey)
    again = version_create_next(survey=survey)

    # then: one editable copy, version 1 still current
    assert again == new and new.number == 2 and not new.is_locked
    assert draft_version(survey) == new
    assert new.questions.count() == old.questions.count()
    assert new.questions.get(code="items").items.count() == 8
    assert set(new.questions.values_list("pk", flat=True)).isdisjoint(
        old.questions.values_list("pk", flat=True)
    )

    # when published
    version_publish(survey=survey, version=new)

    # then
    survey.refresh_from_db()
    assert survey.current_version == new and new.questions.exists()
    new.refresh_from_db()
    assert new.is_locked  # the survey is open: answers may come in at once
    answer = Answer.objects.get(response=response)
    assert answer.question == overall and answer.question.version == old
    assert Question.objects.filter(version=old).count() == len(
        BLUEPRINTS["full_satisfaction"].questions
    )


def test_only_the_surveys_own_unpublished_version_can_be_published(analyst):
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="exit"))
    survey.current_version.refresh_from_db()  # survey_open locks it with an UPDATE
    with pytest.raises(ValidationError):
        version_publish(survey=survey, version=survey.current_version)
    other = survey_create_from_blueprint(user=analyst, key="exit")
    with pytest.raises(ValidationError):
        version_publish(survey=survey, version=other.current_version)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": QuestionType.CSAT, "scale_max": 6}, "scale_max"),
        ({"type": QuestionType.SINGLE, "options": [{"value": "a", "zh": "甲"}]}, "options"),
        (
            {"type": QuestionType.SINGLE, "options": [{"value": "a"}, {"value": "a"}]},
            "options",
        ),
        ({"show_if": {"question": "nowhere", "op": "answered"}}, "show_if"),
        ({"show_if": {"question": "why_low", "op": "answered"}}, "show_if"),
    ],
)
def test_question_validate_names_the_field_at_fault(analyst, changes, field):
    survey = survey_create_from_blueprint(user=analyst, key="csat_purchase")
    question = survey.current_version.questions.get(code="overall")
    for name, value in changes.items():
        setattr(question, name, value)
    with pytest.raises(ValidationError) as error:
        question_validate(question)
    assert field in error.value.message_dict


def test_publishing_reads_the_lock_from_the_database_not_from_a_stale_object(analyst):
    # given a version object loaded before survey_open locked its row with an UPDATE
    survey = survey_create_from_blueprint(user=analyst, key="exit")
    stale = survey.current_version
    survey_open(survey=survey)
    locked_at = type(stale).objects.get(pk=stale.pk).locked_at
    assert not stale.is_locked and locked_at is not None

    # when / then: refused, and the lock keeps its time
    with pytest.raises(ValidationError, match="unpublished version"):
        version_publish(survey=survey, version=stale)
    stale.refresh_from_db()
    assert stale.locked_at == locked_at


# ----- question writes -------------------------------------------------------------------


def _codes(version) -> list[str]:
    return list(version.questions.values_list("code", flat=True))


def test_question_save_replaces_the_items_and_drops_them_with_the_type(analyst):
    survey = survey_create_from_blueprint(user=analyst, key="full_satisfaction")
    matrix = survey.current_version.questions.get(code="importance")
    price, brand = Dimension.objects.get(code="price"), Dimension.objects.get(code="brand")

    question_save(question=matrix, items=[(brand, Decimal("2")), (price, Decimal("0.5"))])
    rows = list(matrix.items.values_list("dimension__code", "weight", "position"))
    assert rows == [("brand", Decimal("2"), 0), ("price", Decimal("0.5"), 1)]

    matrix.text_en = "How much does each matter?"
    question_save(question=matrix)  # items=None keeps them
    assert matrix.items.count() == 2

    matrix.type, matrix.scale_max = QuestionType.CSAT, 5
    question_save(question=matrix, items=[(brand, Decimal(1))])
    matrix.refresh_from_db()
    assert matrix.type == QuestionType.CSAT and not matrix.items.exists()


def test_question_save_refuses_what_breaks_the_version(analyst):
    survey = survey_create_from_blueprint(user=analyst, key="csat_purchase")
    version = survey.current_version
    overall = version.questions.get(code="overall")
    delivery = version.questions.get(code="delivery")

    delivery.code = "overall"
    with pytest.raises(ValidationError) as taken:
        question_save(question=delivery)
    overall.code = "overall_v2"  # "why_low" is shown depending on it
    with pytest.raises(ValidationError) as used:
        question_save(question=overall)
    matrix = Question(version=version, code="m", type=QuestionType.MATRIX, scale_max=5, page=3)
    with pytest.raises(ValidationError) as no_items:
        question_save(question=matrix, items=[])

    assert "already has the code" in taken.value.message_dict["code"][0]
    assert "skip logic uses this code" in used.value.message_dict["code"][0]
    assert "items" in no_items.value.message_dict
    assert _codes(version) == ["overall", "delivery", "why_low", "repurchase"]


def test_on_a_locked_version_question_save_keeps_to_wording_and_labels(analyst):
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="ces_service"))
    version = survey.current_version
    resolved = version.questions.get(code="resolved")

    # when the wording and a label change: saved
    resolved.text_en = "Was your problem solved?"
    resolved.options = [{**resolved.options[0], "en": "Solved"}, resolved.options[1]]
    question_save(question=resolved)
    resolved.refresh_from_db()
    assert resolved.text_en == "Was your problem solved?"
    assert resolved.options[0]["en"] == "Solved"

    # when anything else changes, or a question is added: refused
    refusals = []
    for change in (
        {"required": False},
        {"options": [{"value": "y", "zh": "是"}, {"value": "n", "zh": "否"}]},
    ):
        stale = version.questions.get(code="resolved")
        for name, value in change.items():
            setattr(stale, name, value)
        with pytest.raises(ValidationError) as refused:
            question_save(question=stale)
        refusals.append(refused.value)
    new = Question(version=version, code="late", type=QuestionType.LONG_TEXT, text_zh="晚")
    with pytest.raises(ValidationError) as added:
        question_save(question=new)

    assert refusals[0].code == LOCKED and added.value.code == LOCKED
    assert "keep the values yes, no" in refusals[1].message_dict["options"][0]
    resolved.refresh_from_db()
    assert resolved.required and [o["value"] for o in resolved.options] == ["yes", "no"]
    assert "late" not in _codes(version)


def test_question_move_swaps_neighbours_and_keeps_skip_logic(analyst):
    survey = survey_create_from_blueprint(user=analyst, key="ces_service")
    version = survey.current_version
    resolved = version.questions.get(code="resolved")
    agent = version.questions.get(code="agent_csat")

    question_move(question=resolved, direction="up")
    assert _codes(version) == ["resolved", "ces", "agent_csat", "comment"]
    assert resolved.position == 10

    with pytest.raises(ValidationError, match="edge of its page"):
        question_move(question=version.questions.get(code="resolved"), direction="up")
    Question.objects.filter(pk=agent.pk).update(show_if={"question": "ces", "op": "answered"})
    with pytest.raises(ValidationError, match="must stay after it"):
        question_move(question=version.questions.get(code="agent_csat"), direction="up")
    assert _codes(version) == ["resolved", "ces", "agent_csat", "comment"]


def test_question_delete_refuses_a_skip_logic_source_and_a_locked_version(analyst):
    survey = survey_create_from_blueprint(user=analyst, key="csat_purchase")
    version = survey.current_version

    with pytest.raises(ValidationError, match="skip logic of why_low depends on it"):
        question_delete(question=version.questions.get(code="overall"))
    question_delete(question=version.questions.get(code="why_low"))
    assert _codes(version) == ["overall", "delivery", "repurchase"]

    survey_open(survey=survey)  # locks the version with an UPDATE; `version` is not refreshed
    overall = version.questions.get(code="overall")
    with pytest.raises(ValidationError) as deleting:
        question_delete(question=overall)
    with pytest.raises(ValidationError) as moving:
        question_move(question=overall, direction="down")
    assert deleting.value.code == moving.value.code == LOCKED
    assert _codes(version) == ["overall", "delivery", "repurchase"]
