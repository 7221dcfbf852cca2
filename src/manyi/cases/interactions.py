"""Complaint interactions and cases: the case is where a complaint is worked, so it is the
one source of truth of how it stands. A complaint recorded as an interaction opens a case
linked to it (or joins the customer's open case about the same thing); the interaction's
outcome and closing time are then written by the case only (`mirror`), for the pages,
triggers and indicators that read interactions."""

from __future__ import annotations

from django.utils.translation import gettext as _

from manyi.customers.choices import InteractionKind, Outcome

from .choices import OPEN_STATUSES, CaseType, Source, Status
from .models import Case

CLOSED_OUTCOMES = (Outcome.RESOLVED, Outcome.NO_ACTION, Outcome.UNRESOLVED)


def subject_of(interaction) -> str:
    text = interaction.subject or (interaction.content or "").strip().split("\n")[0]
    return (text or _("Complaint"))[:200]


def on_interaction_saved(
    sender, interaction, created: bool, user=None, imported: bool = False, **kwargs
) -> None:
    """A complaint recorded by hand, or imported from a file (`imported`), opens its case."""
    from . import services

    if interaction.kind != InteractionKind.COMPLAINT:
        return
    case = Case.objects.filter(interaction=interaction).first()
    if case is None:
        opened = services.case_open(
            customer=interaction.customer,
            case_type=CaseType.COMPLAINT,
            subject=subject_of(interaction),
            description=interaction.content,
            channel=interaction.channel,
            source=Source.IMPORT if imported else Source.INTERACTION,
            interaction=interaction,
            team=interaction.team,
            owner=interaction.handled_by,
            user=user,
            at=interaction.occurred_at,
        )
        if opened.joined:
            return
        case = opened.case
    # An outcome set on the interaction form (it is read-only once a case exists) closes the
    # new case as the staff member recorded it.
    if created and interaction.outcome in CLOSED_OUTCOMES and case.status in OPEN_STATUSES:
        services.case_status(
            case,
            version=case.version,
            user=user,
            status=Status.RESOLVED,
            resolution=interaction.outcome_note or Outcome(interaction.outcome).label,
            at=interaction.closed_at or interaction.occurred_at,
        )


def mirror(case: Case) -> None:
    """Write the case's state onto its interaction."""
    if case.interaction_id is None:
        return
    from manyi.customers.models import Interaction

    if case.status in OPEN_STATUSES:
        outcome, closed_at = Outcome.OPEN, None
    else:
        outcome, closed_at = Outcome.RESOLVED, case.resolved_at or case.closed_at
    Interaction.objects.filter(pk=case.interaction_id).update(outcome=outcome, closed_at=closed_at)
