"""What the demo generator's domain functions share: the sizes asked for, one seeded random
stream, the moment the data ends, and the ids each domain leaves for the next."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import zoneinfo
from bisect import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from manyi.accounts.models import Team

    from .people import CustomerIndex

HISTORY_DAYS = 730


@dataclass(frozen=True)
class Sizes:
    customers: int = 2000
    purchases: int = 10000
    interactions: int = 5000
    responses: int = 3000


def _silent(domain: str, seconds: float) -> None:
    pass


@dataclass
class Context:
    """Filled in domain by domain; later domains read what earlier ones left."""

    sizes: Sizes
    rng: random.Random
    until: dt.date
    password: str
    batch_size: int
    progress: Callable[[str, float], None] = _silent
    teams: list[Team] = field(default_factory=list)  # in vocab.TEAMS order
    agent_ids: list[int] = field(default_factory=list)  # the agent of each team
    segment_ids: list[int] = field(default_factory=list)  # in vocab.SEGMENTS order
    tag_ids: dict[str, int] = field(default_factory=dict)
    product_ids: list[int] = field(default_factory=list)  # in vocab.PRODUCTS order
    customers: CustomerIndex | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # complaint interaction's code -> (the order's code or "", topic key), for their cases
    complaints: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def end(self) -> dt.datetime:
        """Midnight starting `until`, local time, in UTC: nothing happens at or after it, so
        the default (today) never puts data in the future."""
        local = dt.datetime.combine(self.until, dt.time.min, tzinfo=self.tz)
        return local.astimezone(dt.UTC)

    @property
    def start(self) -> dt.datetime:
        return self.end - dt.timedelta(days=HISTORY_DAYS)


def money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def pick(rng: random.Random, items: Sequence, cum: Sequence[float]):
    """`rng.choices(items, cum_weights=cum)[0]`, without building a list per draw."""
    return items[min(bisect(cum, rng.random() * cum[-1]), len(cum) - 1)]


def code(prefix: str, number: int, width: int) -> str:
    """C0000001, O00000001: fixed width, so codes sort like their numbers."""
    return f"{prefix}{number:0{width}d}"
