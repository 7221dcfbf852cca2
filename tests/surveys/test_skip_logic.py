import pytest

from manyi.surveys.answering import is_shown
from manyi.surveys.models import Question


def _q(rule):
    return Question(code="later", type="long_text", text_zh="?", show_if=rule)


@pytest.mark.parametrize(
    ("rule", "values", "shown"),
    [
        ({}, {}, True),
        ({"question": "overall", "op": "lte", "value": 3}, {"overall": 2}, True),
        ({"question": "overall", "op": "lte", "value": 3}, {"overall": 3}, True),
        ({"question": "overall", "op": "lte", "value": 3}, {"overall": 4}, False),
        ({"question": "overall", "op": "lte", "value": 3}, {}, False),
        ({"question": "nps", "op": "gte", "value": 9}, {"nps": 10}, True),
        ({"question": "nps", "op": "answered"}, {"nps": 0}, True),
        ({"question": "choice", "op": "eq", "value": "no"}, {"choice": ["no"]}, True),
        ({"question": "choice", "op": "eq", "value": "no"}, {"choice": ["yes"]}, False),
        (
            {"question": "reasons", "op": "in", "value": ["price", "competitor"]},
            {"reasons": ["quality", "competitor"]},
            True,
        ),
        ({"question": "reasons", "op": "in", "value": ["price"]}, {"reasons": ["quality"]}, False),
        ({"question": "text", "op": "lte", "value": 3}, {"text": "not a number"}, False),
        ({"question": "overall", "op": "unknown", "value": 3}, {"overall": 2}, False),
    ],
)
def test_show_if_rules(rule, values, shown):
    assert is_shown(_q(rule), values) is shown
