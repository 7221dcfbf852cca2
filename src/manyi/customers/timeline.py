"""A customer's history as one list of events. Other domains (survey answers, cases) add
their events through `register`, so this app never imports theirs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TimelineEntry:
    """One event in a customer's history. `kind` is a CSS hook and a filter key."""

    at: dt.datetime
    kind: str
    title: str
    obj: object


# A source returns the newest `limit` entries about `customer` that `user` may see.
TimelineSource = Callable[[object, object, int], list[TimelineEntry]]

_sources: list[TimelineSource] = []


def register(source: TimelineSource) -> TimelineSource:
    """Add a source once (an app's ready() may run twice in tests); usable as a decorator."""
    if source not in _sources:
        _sources.append(source)
    return source


def sources() -> tuple[TimelineSource, ...]:
    return tuple(_sources)
