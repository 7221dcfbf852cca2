"""The retention policy: personal data that is no longer needed is removed on a schedule.

Two limits, in days, from settings (0 switches a limit off):

- MANYI_RETENTION_CONTACT_DAYS: the contact details (contact points: phones, email and postal
  addresses, messaging IDs; and the address each invitation was sent to) of a customer with no
  activity for that long are removed. Activity is the latest of: the customer record's
  creation, a purchase (bought, delivered or returned), an interaction (occurred or closed),
  an invitation (created or sent, or still waiting to be sent) and a response (started, saved
  or submitted). The customer row stays, with its purchases, interactions and every answer,
  so scores and rollups do not change.
- MANYI_RETENTION_OPEN_TEXT_DAYS: the text of open answers given longer ago than that is
  cleared. The answer row stays (the question still counts as answered) and records when its
  text was removed (`Answer.redacted_at`).

Both steps work in batches, each in its own transaction, and only touch what is still there:
running them again, or after an interruption, finishes the work and does nothing more.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from manyi.customers.models import ContactPoint, Customer, Interaction, Purchase
from manyi.surveys.choices import InvitationStatus
from manyi.surveys.models import Answer, Invitation, Response

log = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass(frozen=True)
class RetentionResult:
    customers: int = 0  # customers whose contact details were removed
    contact_points: int = 0  # contact points deleted
    invitation_addresses: int = 0  # invitations whose address was cleared
    answers: int = 0  # open answers whose text was cleared


def _days(value: int | None) -> int:
    return max(int(value or 0), 0)


def inactive_customers(*, cutoff: dt.datetime) -> QuerySet[Customer]:
    """Customers with no activity since `cutoff` (see the module's docstring)."""
    customer = OuterRef("pk")
    purchases = Purchase.objects.filter(customer=customer).filter(
        Q(purchased_at__gte=cutoff) | Q(delivered_at__gte=cutoff) | Q(returned_at__gte=cutoff)
    )
    interactions = Interaction.objects.filter(customer=customer).filter(
        Q(occurred_at__gte=cutoff) | Q(closed_at__gte=cutoff)
    )
    invitations = Invitation.objects.filter(customer=customer).filter(
        Q(created_at__gte=cutoff) | Q(sent_at__gte=cutoff) | Q(status=InvitationStatus.PENDING)
    )
    responses = Response.objects.filter(customer=customer).filter(
        Q(started_at__gte=cutoff) | Q(last_saved_at__gte=cutoff) | Q(submitted_at__gte=cutoff)
    )
    return Customer.objects.filter(created_at__lt=cutoff).exclude(
        Exists(purchases) | Exists(interactions) | Exists(invitations) | Exists(responses)
    )


def _holding_contact_details() -> Q:
    customer = OuterRef("pk")
    addressed = Invitation.objects.filter(customer=customer).exclude(address="")
    return Q(Exists(ContactPoint.objects.filter(customer=customer))) | Q(Exists(addressed))


def contacts_remove_inactive(
    *, days: int, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> RetentionResult:
    """Remove the contact details of customers inactive for `days` days (0: do nothing)."""
    days = _days(days)
    if not days:
        return RetentionResult()
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    candidates = inactive_customers(cutoff=cutoff).filter(_holding_contact_details())
    customers = contact_points = addresses = last_pk = 0
    while True:
        with transaction.atomic():
            # Batches in key order, each one checked inside its transaction: a customer who
            # became active a moment ago (a purchase just imported) keeps their details.
            batch = candidates.filter(pk__gt=last_pk).order_by("pk")
            ids = list(batch.values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            last_pk = ids[-1]
            contact_points += ContactPoint.objects.filter(customer_id__in=ids).delete()[0]
            addresses += (
                Invitation.objects.filter(customer_id__in=ids)
                .exclude(address="")
                .update(address="")
            )
            customers += len(ids)
    if customers:
        log.info(
            "retention: removed %s contact points and %s invitation addresses of %s customers "
            "inactive since %s",
            contact_points,
            addresses,
            customers,
            cutoff.isoformat(),
        )
    return RetentionResult(
        customers=customers, contact_points=contact_points, invitation_addresses=addresses
    )


def open_text_expired(*, cutoff: dt.datetime) -> QuerySet[Answer]:
    """Open answers with text, given before `cutoff` and not yet cleared."""
    given_before = Q(response__submitted_at__lt=cutoff) | Q(
        response__submitted_at__isnull=True, response__last_saved_at__lt=cutoff
    )
    return Answer.objects.filter(given_before, redacted_at__isnull=True).exclude(text="")


def open_text_redact(
    *, days: int, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE
) -> RetentionResult:
    """Clear the text of open answers older than `days` days (0: do nothing)."""
    days = _days(days)
    if not days:
        return RetentionResult()
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    expired = open_text_expired(cutoff=cutoff)
    answers = last_pk = 0
    while True:
        batch = expired.filter(pk__gt=last_pk).order_by("pk")
        ids = list(batch.values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        last_pk = ids[-1]
        # The conditions again in the update: a second worker's batch is not counted twice.
        answers += Answer.objects.filter(pk__in=ids, redacted_at__isnull=True).update(
            text="", redacted_at=now
        )
    if answers:
        log.info("retention: cleared the text of %s answers given before %s", answers, cutoff)
    return RetentionResult(answers=answers)


def retention_apply(
    *,
    now: dt.datetime | None = None,
    contact_days: int | None = None,
    open_text_days: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> RetentionResult:
    """Apply the whole policy; the limits default to the settings."""
    now = now or timezone.now()
    if contact_days is None:
        contact_days = settings.MANYI_RETENTION_CONTACT_DAYS
    if open_text_days is None:
        open_text_days = settings.MANYI_RETENTION_OPEN_TEXT_DAYS
    contacts = contacts_remove_inactive(days=contact_days, now=now, batch_size=batch_size)
    texts = open_text_redact(days=open_text_days, now=now, batch_size=batch_size)
    return RetentionResult(
        customers=contacts.customers,
        contact_points=contacts.contact_points,
        invitation_addresses=contacts.invitation_addresses,
        answers=texts.answers,
    )
