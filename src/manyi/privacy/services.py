"""Writes of the privacy app: audit events, the retention purge of the audit log, revealing a
contact detail, and erasing a customer on request."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from manyi.customers.models import ContactPoint, Customer, Interaction, Purchase
from manyi.surveys.models import Answer, Invitation, Response

from .choices import AuditAction
from .models import AuditEvent, Erasure

log = logging.getLogger(__name__)

PURGE_BATCH = 1000


def _client_ip(request) -> str | None:
    # REMOTE_ADDR only: a forwarded-for header is whatever the client wants it to be.
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def audit_record(
    *,
    actor,
    action: AuditAction,
    customer: Customer | int | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict | None = None,
    request=None,
) -> AuditEvent:
    """Append one event. `obj` (a model instance) fills the object type and id; `detail` says
    what was done and must not hold the personal data itself."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        customer_id=customer_id,
        detail=detail or {},
        ip=_client_ip(request),
    )


def audit_purge(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete audit events older than the retention period (MANYI_AUDIT_RETENTION_DAYS; 0
    keeps them for ever), in batches. Safe to run twice or after an interruption."""
    days = settings.MANYI_AUDIT_RETENTION_DAYS if days is None else days
    if not days or days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(
                AuditEvent.objects.filter(at__lt=cutoff)
                .order_by("pk")
                .values_list("pk", flat=True)[:PURGE_BATCH]
            )
            if not ids:
                break
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # the trigger lets this transaction delete
                    cursor.execute("SELECT set_config('manyi.audit_purge', 'on', true)")
            removed += AuditEvent.objects.filter(pk__in=ids)._purge()
    if removed:
        log.info("audit log: removed %s events older than %s", removed, cutoff.isoformat())
    return removed


def contact_reveal(*, user, contact: ContactPoint, request=None) -> str:
    """The value of one contact point, recorded in the audit log. Who may call this is
    decided by `queries.may_reveal_contacts`."""
    audit_record(
        actor=user,
        action=AuditAction.REVEAL,
        customer=contact.customer_id,
        obj=contact,
        detail={"kind": contact.kind},
        request=request,
    )
    return contact.value


# Erasure
#
# What identifies a person goes: name (replaced by "#<id>"), external ids of the customer,
# its orders and interactions, occupation, city, notes, every contact point and invitation
# address, free text of interactions, open-text answers, reasons typed by staff. What the
# figures are made of stays: gender, birth year, region, segment, team, tags, language,
# purchases and their items, interaction kinds and dates, responses, ratings and choices. So
# every score, rollup and dashboard is the same after an erasure as before.


@transaction.atomic
def customer_erase(*, customer: Customer, actor, request=None) -> Customer:
    """Erase a customer's personal data on their request; the stub stays. Running it again
    changes nothing more."""
    now = timezone.now()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    counts = {
        "contact_points": ContactPoint.objects.filter(customer=customer).delete()[0],
        "interactions": Interaction.objects.filter(customer=customer).update(
            external_id=None, subject="", content="", outcome_note=""
        ),
        "purchases": Purchase.objects.filter(customer=customer).update(external_id=None),
        "invitations": Invitation.objects.filter(customer=customer).update(address="", error=""),
        "responses": Response.objects.filter(customer=customer).update(consent_override_reason=""),
        "open_answers": Answer.objects.filter(response__customer=customer)
        .exclude(text="")
        .update(text="", redacted_at=now),
    }
    customer.name = f"#{customer.pk}"
    customer.external_id = None
    customer.occupation = customer.city = customer.notes = ""
    customer.consent_email = customer.consent_sms = False
    customer.consent_phone = customer.consent_messaging = False
    customer.save()
    Erasure.objects.get_or_create(
        customer=customer,
        defaults={"erased_at": now, "erased_by_name": actor.get_username() if actor else ""},
    )
    audit_record(
        actor=actor,
        action=AuditAction.ERASE,
        customer=customer,
        obj=customer,
        detail=counts,
        request=request,
    )
    return customer
