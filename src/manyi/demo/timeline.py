"""When things happen in the demo data. Weights per hour (or day) make charts show growth,
weekly and daily rhythm and the shopping festivals (双十一, 618) instead of flat noise. Times
are whole seconds after the start of the history; earlier moments are negative."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from .context import HISTORY_DAYS, cumulative, pick

HOUR, DAY = 3600, 86400
CUSTOMER_YEARS_BEFORE = 3  # the oldest customers joined this long before the history starts

# Relative activity per local hour of the day: people shop in the evening and call in
# office hours.
_HOURS = {
    "sales": (0.3, 0.15, 0.08, 0.05, 0.05, 0.08, 0.2, 0.4, 0.6, 0.8, 1.0, 1.1,
              1.2, 1.1, 1.0, 1.0, 1.0, 1.1, 1.2, 1.4, 1.7, 1.9, 1.6, 0.8),
    "service": (0.05, 0.03, 0.02, 0.02, 0.02, 0.05, 0.1, 0.3, 0.8, 1.5, 1.7, 1.6,
                1.0, 1.2, 1.6, 1.6, 1.5, 1.2, 0.8, 0.6, 0.5, 0.4, 0.3, 0.1),
}  # fmt: skip
_WEEKEND = {"sales": 1.2, "service": 0.6}
_OFFICE_HOUR_CUM = cumulative(_HOURS["service"])


def festival(month: int, day: int) -> float:
    """Sales multiplier of a calendar day. The Spring Festival moves with the lunar calendar;
    a fixed late-January lull is close enough for demo data."""
    if month == 11:
        return 6.0 if day == 11 else 1.6 if day < 11 else 1.0
    if month == 6:
        return 4.0 if day == 18 else 1.4 if day < 18 else 1.0
    if (month, day) in ((12, 12), (3, 8)):
        return 1.8
    if (month == 1 and day >= 25) or (month == 2 and day <= 12):
        return 0.6
    return 1.0


class Timeline:
    """A distribution of moments: weights of consecutive buckets of `size` seconds, the first
    beginning at `origin`."""

    def __init__(self, weights: Iterable[float], *, size: int = HOUR, origin: int = 0):
        self.cum = array("d", itertools.accumulate(weights))
        self.size, self.origin = size, origin
        self.last = origin + len(self.cum) * size - 1

    def moments(self, rng, n: int) -> Iterator[int]:
        """n random moments in ascending order, one at a time and without holding them: the
        minimum of k uniform draws above x is x + (1 - x)(1 - U^(1/k)), and mapping it
        through the inverse of the weights keeps the order."""
        cum, size, x = self.cum, self.size, 0.0
        total, top = cum[-1], len(cum) - 1
        for k in range(n, 0, -1):
            x += (1.0 - x) * (1.0 - rng.random() ** (1.0 / k))
            target = x * total
            bucket = min(bisect_left(cum, target), top)
            below = cum[bucket - 1] if bucket else 0.0
            within = (target - below) / (cum[bucket] - below)
            yield min(self.origin + bucket * size + int(within * size), self.last)


class Calendar:
    """The history in local time: turns offsets into datetimes, knows the local hour of every
    hour, and makes the timelines of sales and of service contacts."""

    def __init__(self, start: dt.datetime, tz: zoneinfo.ZoneInfo):
        self.start = start
        hours = HISTORY_DAYS * 24
        self.seconds = hours * HOUR
        self.local = [(start + dt.timedelta(hours=h)).astimezone(tz) for h in range(hours)]

    def timeline(self, kind: str) -> Timeline:
        hourly, hours = _HOURS[kind], len(self.local)
        weights = []
        for h, local in enumerate(self.local):
            weight = (0.75 + 0.5 * h / hours) * hourly[local.hour]  # the business grows
            if local.weekday() >= 5:
                weight *= _WEEKEND[kind]
            if kind == "sales":
                weight *= festival(local.month, local.day)
            weights.append(weight)
        return Timeline(weights)

    def joining(self) -> Timeline:
        """When customers joined: steadily for years before the history, then faster as the
        business grows; the last four months' joiners are the 新客户."""
        before = CUSTOMER_YEARS_BEFORE * 365
        weights = [0.45] * before + [0.6 + 0.8 * d / HISTORY_DAYS for d in range(HISTORY_DAYS)]
        return Timeline(weights, size=DAY, origin=-before * DAY)

    def office_time(self, rng, t: int) -> int:
        """A moment on the local day of `t`, at an hour people call a service desk."""
        h = t // HOUR
        if not 0 <= h < len(self.local):
            return t
        midnight = (h - self.local[h].hour) * HOUR
        return midnight + pick(rng, range(24), _OFFICE_HOUR_CUM) * HOUR + rng.randrange(HOUR)

    def at(self, t: int) -> dt.datetime:
        return self.start + dt.timedelta(seconds=t)
