"""Answer counts, the input of every score: {answer value: how many answered it}."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Counts = Mapping[int, int]


def from_values(values: Iterable[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def subtract(whole: Counts, part: Counts) -> dict[int, int]:
    """The counts of `whole` that are not in `part` (a part of it): everyone else."""
    rest = {value: n - part.get(value, 0) for value, n in whole.items()}
    return {value: n for value, n in rest.items() if n > 0}


def merge(*many: Counts) -> dict[int, int]:
    total: dict[int, int] = {}
    for counts in many:
        for value, n in counts.items():
            total[value] = total.get(value, 0) + n
    return total


@dataclass(frozen=True)
class Moments:
    n: int
    mean: float | None
    sd: float | None  # sample standard deviation (n - 1); None below two answers


def moments(counts: Counts) -> Moments:
    n = sum(counts.values())
    if n == 0:
        return Moments(0, None, None)
    mean = sum(value * k for value, k in counts.items()) / n
    if n < 2:
        return Moments(n, mean, None)
    squares = sum(k * (value - mean) ** 2 for value, k in counts.items())
    return Moments(n, mean, math.sqrt(squares / (n - 1)))


def share(counts: Counts, values: Iterable[int]) -> tuple[int, int]:
    """(how many answered one of `values`, how many answered at all)."""
    chosen = set(values)
    return sum(k for v, k in counts.items() if v in chosen), sum(counts.values())
