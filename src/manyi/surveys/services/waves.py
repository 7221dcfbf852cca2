"""Waves: a relationship survey asked again every month or quarter. Each wave has its own
sample (a customer may be invited once per wave, within the contact-frequency cap) and its
own results, compared with the wave before (surveys/queries.wave_results)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ..choices import SurveyStatus, WaveSchedule
from ..models import Survey, SurveyWave


def wave_period(schedule: str, day: dt.date) -> tuple[dt.date, dt.date, str]:
    """(first day, last day, label) of the wave period holding `day`."""
    if schedule == WaveSchedule.MONTHLY:
        first = day.replace(day=1)
        months, label = 1, f"{day:%Y-%m}"
    elif schedule == WaveSchedule.QUARTERLY:
        first = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        months, label = 3, f"{day.year} Q{(day.month - 1) // 3 + 1}"
    else:
        raise ValueError(f"no waves for schedule {schedule!r}")
    index = first.year * 12 + first.month - 1 + months
    following = dt.date(index // 12, index % 12 + 1, 1)
    return first, following - dt.timedelta(days=1), label


def wave_for(survey: Survey, when: dt.datetime | None = None) -> SurveyWave | None:
    """The wave whose period holds `when` (default now), created on first use; None for a
    survey without waves. Safe to call concurrently: the (survey, starts_on) constraint lets
    only one creation through, and the loser reads the winner's wave."""
    if survey.wave_schedule in ("", WaveSchedule.NONE):
        return None
    day = timezone.localdate(when or timezone.now())
    first, last, label = wave_period(survey.wave_schedule, day)
    existing = SurveyWave.objects.filter(survey=survey, starts_on=first).first()
    if existing is not None:
        return existing
    number = (survey.waves.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            return SurveyWave.objects.create(
                survey=survey, number=number, label=label, starts_on=first, ends_on=last
            )
    except IntegrityError:  # created meanwhile by another process
        return SurveyWave.objects.get(survey=survey, starts_on=first)


def waves_start_due(now: dt.datetime | None = None) -> int:
    """Start the current period's wave of every open survey with waves (the scheduler runs
    this; running it twice, or again after a crash, creates nothing more)."""
    started = 0
    surveys = Survey.objects.filter(status=SurveyStatus.OPEN).exclude(
        wave_schedule__in=["", WaveSchedule.NONE]
    )
    for survey in surveys:
        before = survey.waves.count()
        wave_for(survey, now)
        started += survey.waves.count() - before
    return started
