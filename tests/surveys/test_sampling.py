from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manyi.surveys.sampling import draw_sample, sample_count


def test_same_seed_same_sample_whatever_the_input_order():
    ids = list(range(1, 1001))
    first = draw_sample(ids, seed=7, size=50)
    again = draw_sample(list(reversed(ids)), seed=7, size=50)
    assert first == again and len(first) == 50
    assert draw_sample(ids, seed=8, size=50) != first


@pytest.mark.parametrize(
    ("population", "kwargs", "expected"),
    [
        (200, {"size": 30}, 30),
        (20, {"size": 30}, 20),
        (200, {"percent": Decimal("10")}, 20),
        (5, {"percent": 50}, 3),  # 2.5 rounds half up
        (7, {"percent": "12.5"}, 1),  # 0.875
        (200, {}, 200),
        (0, {"size": 10}, 0),
    ],
)
def test_sample_size_from_size_or_share(population, kwargs, expected):
    assert sample_count(population, **kwargs) == expected


@pytest.mark.parametrize("kwargs", [{"size": -1}, {"percent": 101}, {"size": 1, "percent": 1}])
def test_impossible_samples_are_refused(kwargs):
    with pytest.raises(ValueError):
        sample_count(10, **kwargs)


@given(st.sets(st.integers(min_value=1, max_value=10**6), max_size=300), st.integers(), st.data())
def test_a_sample_is_a_subset_of_the_requested_size(ids, seed, data):
    size = data.draw(st.integers(min_value=0, max_value=400))
    sample = draw_sample(ids, seed=seed, size=size)
    assert set(sample) <= ids
    assert len(sample) == len(set(sample)) == min(size, len(ids))
