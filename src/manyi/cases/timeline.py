"""Case follow-ups on the customer's timeline (registered in CasesConfig.ready())."""

from __future__ import annotations

from manyi.customers.timeline import TimelineEntry

from .choices import EntryKind
from .models import Case, CaseEntry


def case_entries(customer, user, limit: int) -> list[TimelineEntry]:
    """Replies and status changes of the customer's cases that `user` may see, newest first."""
    cases = Case.objects.visible_to(user).filter(customer=customer)
    entries = (
        CaseEntry.objects.filter(case__in=cases, kind__in=[EntryKind.REPLY, EntryKind.STATUS])
        .select_related("case", "author")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        TimelineEntry(
            at=e.created_at, kind="case", title=f"{e.case.number} {e.case.subject}", obj=e
        )
        for e in entries
    ]
