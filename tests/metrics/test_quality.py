"""Response quality (METHODS.md): valid when at least two thirds of shown questions are
answered; response rate = responses / invitations delivered."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manyi.metrics.quality import answered_share, is_valid_response, rate


@pytest.mark.parametrize(
    ("answered", "shown", "valid"),
    [
        (2, 3, True),  # exactly two thirds
        (4, 6, True),
        (3, 6, False),
        (6, 9, True),
        (5, 9, False),
        (66, 100, False),  # 66 % < 2/3
        (67, 100, True),
        (200, 300, True),
        (0, 0, False),  # shown nothing: not a response
        (1, 1, True),
    ],
)
def test_two_thirds_rule(answered, shown, valid):
    assert is_valid_response(answered, shown) is valid


def test_threshold_is_a_per_survey_setting():
    assert is_valid_response(1, 2, Decimal("0.5"))
    assert not is_valid_response(1, 2, Decimal("0.75"))
    assert is_valid_response(0, 5, Decimal("0"))


def test_inconsistent_counts_are_refused():
    with pytest.raises(ValueError):
        is_valid_response(4, 3)


@given(st.integers(min_value=1, max_value=500), st.data())
def test_validity_matches_exact_fraction_arithmetic(shown, data):
    answered = data.draw(st.integers(min_value=0, max_value=shown))
    # 3 * answered >= 2 * shown is the exact two-thirds rule, free of rounding.
    assert is_valid_response(answered, shown) is (3 * answered >= 2 * shown)


def test_answered_share_rounds_half_up_to_four_places():
    assert answered_share(2, 3) == Decimal("0.6667")
    assert answered_share(1, 3) == Decimal("0.3333")
    assert answered_share(0, 0) == Decimal("0")


def test_rate_of_nothing_is_unknown_not_zero():
    assert rate(30, 120) == 0.25
    assert rate(0, 0) is None
