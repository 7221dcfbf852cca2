"""Case follow-ups and bulk follow-up messages on the customer's timeline (registered in
CasesConfig.ready())."""

from __future__ import annotations

from manyi.customers.models import Customer
from manyi.customers.timeline import TimelineEntry

from .choices import EntryKind
from .models import Case, CaseEntry, CaseMessage


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


def followup_messages(customer, user, limit: int) -> list[TimelineEntry]:
    """Bulk follow-ups the customer was sent (or is about to be), newest first."""
    if not Customer.objects.visible_to(user).filter(pk=customer.pk).exists():
        return []
    messages = (
        CaseMessage.objects.filter(customer=customer, followup__isnull=False)
        .select_related("followup__template")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        TimelineEntry(at=m.created_at, kind="followup", title=m.followup.template.name, obj=m)
        for m in messages
    ]
