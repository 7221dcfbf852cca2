"""An SLA timer: a target in working time, the working time used so far, and whether the
clock runs. It runs in the calendar's working hours only, pauses while a case waits for the
customer, and stops when the target's event happens (first response, resolution).

The moments that matter (a warning at a share of the target, the breach, an escalation
after it) are computed once, when the timer changes, and stored: a periodic task then only
asks the database which stored moments have passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .calendar import Calendar

ZERO = dt.timedelta(0)


@dataclass(frozen=True)
class Timer:
    target: dt.timedelta
    used: dt.timedelta = ZERO  # working time used before `running_since`
    running_since: dt.datetime | None = None  # None: paused or stopped

    @classmethod
    def start(cls, target: dt.timedelta, at: dt.datetime) -> Timer:
        return cls(target, ZERO, at)

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def used_at(self, calendar: Calendar, at: dt.datetime) -> dt.timedelta:
        """Working time used by `at`."""
        if self.running_since is None:
            return self.used
        return self.used + calendar.working_between(self.running_since, at)

    def pause(self, calendar: Calendar, at: dt.datetime) -> Timer:
        """Stop the clock at `at` (waiting for the customer, or the event happened)."""
        if self.running_since is None:
            return self
        return replace(self, used=self.used_at(calendar, at), running_since=None)

    def resume(self, at: dt.datetime) -> Timer:
        if self.running_since is not None:
            return self
        return replace(self, running_since=at)

    def moment(self, calendar: Calendar, share: float = 1.0) -> dt.datetime | None:
        """When the used working time reaches `share` of the target (1: the breach; 0.75:
        the warning; 1.5: half the target again after the breach), if the clock runs; a
        share already used gives the clock's restart (the moment is due at once). None while
        paused."""
        if self.running_since is None:
            return None
        left = self.target * share - self.used
        return calendar.add(self.running_since, max(left, ZERO))

    def breached(self, calendar: Calendar, at: dt.datetime) -> bool:
        return self.used_at(calendar, at) > self.target

    def share_used(self, calendar: Calendar, at: dt.datetime) -> float:
        if self.target <= ZERO:
            return 1.0
        return self.used_at(calendar, at) / self.target
