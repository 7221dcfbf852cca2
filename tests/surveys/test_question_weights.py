"""The question editor warns when a satisfaction matrix's weights do not add up to 1
(METHODS.md: the weights of one matrix sum to 1, and the builder says so)."""

import pytest
from django.urls import reverse

from manyi.surveys.models import Dimension
from manyi.surveys.services.design import survey_create
from tests.surveys.test_builder import question_data


@pytest.fixture
def survey(analyst):
    return survey_create(user=analyst, title_zh="权重", title_en="Weights")


def _matrix(client, survey, weights: dict[str, str], **fields):
    dims = {d.code: d for d in Dimension.objects.filter(code__in=weights)}
    data = question_data(
        **{
            "type": "matrix",
            "code": "items",
            "items": [dims[c].pk for c in weights],
            **{f"weight_{dims[c].pk}": w for c, w in weights.items()},
            **fields,
        }
    )
    return client.post(reverse("surveys:question_create", args=[survey.pk]), data, follow=True)


def _warnings(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def test_weights_adding_up_to_090_are_saved_with_a_warning(client, analyst, survey):
    client.force_login(analyst)
    response = _matrix(
        client, survey, {"product_quality": "0.5", "price": "0.25", "delivery": "0.15"}
    )
    assert survey.current_version.questions.get(code="items").items.count() == 3
    (warning,) = _warnings(response)
    assert "add up to 0.9, not 1" in warning and "“items”" in warning


def test_weights_adding_up_to_1_need_no_warning(client, analyst, survey):
    client.force_login(analyst)
    response = _matrix(client, survey, {"product_quality": "0.6", "price": "0.4"})
    assert _warnings(response) == []
    # an importance matrix's weights enter no index: no warning either
    response = _matrix(
        client, survey, {"price": "0.3"}, code="importance", measure="importance", position=20
    )
    assert _warnings(response) == []


def test_the_warning_is_translated(client, analyst, survey):
    client.force_login(analyst)
    client.cookies["django_language"] = "zh-hans"
    response = _matrix(client, survey, {"product_quality": "0.5", "price": "0.4"})
    (warning,) = _warnings(response)
    assert "权重" in warning and "0.9" in warning
