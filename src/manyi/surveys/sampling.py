"""Random samples that can be drawn again: the same ids, size and seed give the same sample,
whatever order the database returned the ids in. Plain Python."""

from __future__ import annotations

import random
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal


def sample_count(population: int, *, size: int | None = None, percent=None) -> int:
    """How many to draw: a fixed size, or a share (in %) of the population rounded half up,
    never more than there are. Neither given: everyone."""
    if size is not None and percent is not None:
        raise ValueError("give a sample size or a share, not both")
    if size is not None:
        if size < 0:
            raise ValueError("sample size cannot be negative")
        return min(size, population)
    if percent is not None:
        share = Decimal(str(percent))
        if not Decimal(0) <= share <= Decimal(100):
            raise ValueError("a share is between 0 and 100 %")
        return int((population * share / 100).quantize(Decimal(1), ROUND_HALF_UP))
    return population


def draw_sample(
    ids: Iterable[int], *, seed: int, size: int | None = None, percent=None
) -> list[int]:
    population = sorted(set(ids))
    count = sample_count(len(population), size=size, percent=percent)
    return sorted(random.Random(seed).sample(population, count))
