"""Writes of the report pages: the recommendations of a period."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from manyi.surveys.models import Survey

from ..models import ReportNote


@transaction.atomic
def report_note_save(
    *, survey: Survey, since: dt.date, until: dt.date, recommendations: str, user
) -> ReportNote:
    """Create or replace the recommendations of `survey` for exactly this period."""
    note, _created = ReportNote.objects.update_or_create(
        survey=survey,
        since=since,
        until=until,
        defaults={"recommendations": recommendations.strip(), "updated_by": user},
    )
    return note
