"""Survey answers on the customer's timeline: registered with customers.timeline in
SurveysConfig.ready(), so the customers app needs no knowledge of surveys."""

from __future__ import annotations

from django.utils.translation import get_language

from manyi.customers.timeline import TimelineEntry

from .models import Response


def response_entries(customer, user, limit: int) -> list[TimelineEntry]:
    """Submitted responses of the customer that `user` may see, newest first."""
    language = get_language() or "zh-hans"
    responses = (
        Response.objects.visible_to(user)
        .submitted()
        .filter(customer=customer)
        .select_related("survey")
        .order_by("-submitted_at", "-pk")[:limit]
    )
    return [
        TimelineEntry(at=r.submitted_at, kind="response", title=r.survey.title(language), obj=r)
        for r in responses
    ]
