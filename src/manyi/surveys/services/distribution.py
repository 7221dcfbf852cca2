"""Inviting customers: select, sample, respect consent and the contact-frequency cap, send,
remind, and invite automatically after events. Every step is safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from manyi.core.sms import send_sms
from manyi.customers.choices import ContactKind
from manyi.customers.models import ContactPoint, Customer, Interaction, Purchase

from ..choices import InvitationChannel, InvitationStatus, ResponseStatus, TriggerEvent
from ..models import Distribution, Invitation, Response, Survey, Trigger, TriggerFiring
from ..sampling import draw_sample

log = logging.getLogger(__name__)

_CONTACT_KIND = {
    InvitationChannel.EMAIL: ContactKind.EMAIL,
    InvitationChannel.SMS: ContactKind.PHONE,
}
_CONSENT_FIELD = {InvitationChannel.EMAIL: "consent_email", InvitationChannel.SMS: "consent_sms"}


def recently_contacted(now=None) -> Q:
    """Customers with an invitation (sent, or waiting to be) within the contact interval."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.MANYI_CONTACT_MIN_DAYS)
    recent = (
        Invitation.objects.filter(customer=OuterRef("pk"))
        .exclude(status__in=[InvitationStatus.SKIPPED, InvitationStatus.FAILED])
        .annotate(contacted_at=Coalesce("sent_at", "send_after", "created_at"))
        .filter(contacted_at__gte=since)
    )
    return Q(Exists(recent))


def _addresses(customer_ids, channel: str) -> dict[int, str]:
    """Each customer's address on the channel: the primary contact, else the oldest one."""
    contacts = ContactPoint.objects.filter(
        customer_id__in=customer_ids, kind=_CONTACT_KIND[channel]
    ).order_by("customer_id", "-is_primary", "pk")
    addresses: dict[int, str] = {}
    for customer_id, value in contacts.values_list("customer_id", "value"):
        addresses.setdefault(customer_id, value)
    return addresses


@dataclass(frozen=True)
class Eligibility:
    eligible: dict[int, str]  # customer id -> address
    excluded: dict[str, int]  # reason -> count


def eligible_customers(
    *, survey: Survey, channel: str, customers, now=None, once_per_survey: bool = True
) -> Eligibility:
    """Split a customer queryset into those who may be invited now and why the others not.
    A distribution invites a customer to a survey once; triggers may ask again after each
    event, within the contact-frequency cap."""
    ids = set(customers.values_list("pk", flat=True))
    consented = set(
        Customer.objects.filter(pk__in=ids, **{_CONSENT_FIELD[channel]: True}).values_list(
            "pk", flat=True
        )
    )
    addresses = _addresses(consented, channel)
    already = set()
    if once_per_survey:
        already = set(
            Invitation.objects.filter(survey=survey, customer_id__in=ids).values_list(
                "customer_id", flat=True
            )
        )
    capped = set(
        Customer.objects.filter(recently_contacted(now), pk__in=ids).values_list("pk", flat=True)
    )
    excluded = {"no_consent": 0, "no_contact": 0, "already_invited": 0, "contacted_recently": 0}
    eligible: dict[int, str] = {}
    for pk in sorted(ids):
        if pk not in consented:
            excluded["no_consent"] += 1
        elif pk not in addresses:
            excluded["no_contact"] += 1
        elif pk in already:
            excluded["already_invited"] += 1
        elif pk in capped:
            excluded["contacted_recently"] += 1
        else:
            eligible[pk] = addresses[pk]
    return Eligibility(eligible=eligible, excluded=excluded)


@transaction.atomic
def distribution_create(
    *,
    survey: Survey,
    user,
    channel: str,
    customers,
    filters: dict,
    seed: int,
    sample_size: int | None = None,
    sample_percent=None,
    send_after: dt.datetime | None = None,
) -> Distribution:
    """Invite a random sample of the eligible customers among `customers` (already filtered
    and scoped to what `user` may see). The same selection and seed draw the same sample."""
    result = eligible_customers(survey=survey, channel=channel, customers=customers)
    chosen = draw_sample(result.eligible, seed=seed, size=sample_size, percent=sample_percent)
    distribution = Distribution.objects.create(
        survey=survey,
        channel=channel,
        filters=filters,
        sample_size=sample_size,
        sample_percent=sample_percent,
        seed=seed,
        created_by=user,
        summary={
            "selected": customers.count(),
            "eligible": len(result.eligible),
            **result.excluded,
            "invited": len(chosen),
        },
    )
    languages = dict(Customer.objects.filter(pk__in=chosen).values_list("pk", "language"))
    Invitation.objects.bulk_create(
        Invitation(
            survey=survey,
            customer_id=pk,
            distribution=distribution,
            channel=channel,
            address=result.eligible[pk],
            language=languages[pk],
            send_after=send_after,
        )
        for pk in chosen
    )
    _enqueue_sending()
    return distribution


def _enqueue_sending() -> None:
    from ..tasks import invitations_send_due

    transaction.on_commit(invitations_send_due.enqueue)


def respond_url(invitation: Invitation) -> str:
    return settings.MANYI_BASE_URL + reverse("respond:invitation", args=[invitation.token])


def opt_out_url(invitation: Invitation) -> str:
    return settings.MANYI_BASE_URL + reverse("respond:opt_out", args=[invitation.token])


def _deliver(invitation: Invitation, *, reminder: bool) -> tuple[bool, str, bool]:
    """Send the invitation (or its reminder) in the customer's language.
    Returns (ok, error, delivered)."""
    survey = invitation.survey
    context = {
        "invitation": invitation,
        "customer": invitation.customer,
        "survey_title": survey.title(invitation.language),
        "url": respond_url(invitation),
        "opt_out_url": opt_out_url(invitation),
        "reminder": reminder,
    }
    with translation.override(invitation.language):
        if invitation.channel == InvitationChannel.SMS:
            text = render_to_string("surveys/messages/invitation_sms.txt", context).strip()
            try:
                result = send_sms(to=invitation.address, text=text)
            except Exception as exc:  # a provider adapter that raises instead of reporting
                log.warning("invitation %s not sent: %s", invitation.pk, exc)
                return False, str(exc)[:300], False
            # Invitation.error holds 300 characters; a provider's message may be longer.
            return result.ok, result.error[:300], result.delivered
        subject = render_to_string("surveys/messages/invitation_subject.txt", context)
        body = render_to_string("surveys/messages/invitation_email.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        to=[invitation.address],
        headers={"List-Unsubscribe": f"<{context['opt_out_url']}>"},
    )
    try:
        message.send()
    except Exception as exc:  # any transport failure is recorded on the invitation
        log.warning("invitation %s not sent: %s", invitation.pk, exc)
        return False, str(exc)[:300], False
    # Email has no delivery receipt: accepted by the mail server counts as delivered.
    return True, "", True


def _consent_withdrawn(invitation: Invitation) -> bool:
    return not getattr(invitation.customer, _CONSENT_FIELD[invitation.channel])


def invitation_send(*, invitation_id: int) -> Invitation:
    """Send one pending invitation at most once: it is claimed before the message goes out."""
    now = timezone.now()
    claimed = Invitation.objects.filter(pk=invitation_id, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.SENT, sent_at=now
    )
    invitation = Invitation.objects.select_related("survey", "customer").get(pk=invitation_id)
    if not claimed:
        return invitation
    if not invitation.survey.is_accepting_answers(now):
        return _mark(invitation, InvitationStatus.SKIPPED, error=_("The survey is not open."))
    if _consent_withdrawn(invitation):
        return _mark(invitation, InvitationStatus.SKIPPED, error=_("The customer opted out."))
    ok, error, delivered = _deliver(invitation, reminder=False)
    if not ok:
        return _mark(invitation, InvitationStatus.FAILED, error=error)
    if delivered:
        invitation.delivered_at = timezone.now()
        invitation.save(update_fields=["delivered_at"])
    return invitation


def _mark(invitation: Invitation, status: str, *, error: str = "") -> Invitation:
    invitation.status = status
    invitation.error = error
    if status != InvitationStatus.SENT:
        invitation.sent_at = None
    invitation.save(update_fields=["status", "error", "sent_at"])
    return invitation


def invitations_due(now=None):
    now = now or timezone.now()
    return Invitation.objects.filter(status=InvitationStatus.PENDING).filter(
        Q(send_after__isnull=True) | Q(send_after__lte=now)
    )


def invitations_send_due(*, limit: int = 1000) -> int:
    ids = list(invitations_due().order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        invitation_send(invitation_id=pk)
    return len(ids)


def reminders_due(now=None):
    """Sent invitations of open surveys with a reminder setting, past that many days, not yet
    reminded, not answered, whose customer has not opted out."""
    now = now or timezone.now()
    submitted = Response.objects.filter(invitation=OuterRef("pk"), status=ResponseStatus.SUBMITTED)
    due = Q()
    for survey in Survey.objects.filter(reminder_after_days__isnull=False, status="open"):
        if survey.is_accepting_answers(now):
            cutoff = now - dt.timedelta(days=survey.reminder_after_days)
            due |= Q(survey=survey, sent_at__lte=cutoff)
    if not due:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(due, status=InvitationStatus.SENT, reminded_at__isnull=True)
        .filter(opted_out_at__isnull=True)
        .exclude(Exists(submitted))
    )


def reminders_send(*, limit: int = 1000) -> int:
    sent = 0
    for pk in list(reminders_due().order_by("pk").values_list("pk", flat=True)[:limit]):
        # Claim first: a reminder goes out once even if two workers see it due.
        if not Invitation.objects.filter(pk=pk, reminded_at__isnull=True).update(
            reminded_at=timezone.now()
        ):
            continue
        invitation = Invitation.objects.select_related("survey", "customer").get(pk=pk)
        if _consent_withdrawn(invitation):
            continue
        ok, error, _delivered = _deliver(invitation, reminder=True)
        if ok:
            sent += 1
        else:
            Invitation.objects.filter(pk=pk).update(error=error)
    return sent


def trigger_switch(*, trigger: Trigger, active: bool) -> Trigger:
    """Switch a trigger on or off; on again, it starts from now."""
    if active and not trigger.is_active:
        trigger.active_since = timezone.now()
    trigger.is_active = active
    trigger.save(update_fields=["is_active", "active_since"])
    return trigger


def invitation_opt_out(*, invitation: Invitation) -> None:
    """The customer asks for no more messages on this channel: consent is withdrawn."""
    with transaction.atomic():
        Customer.objects.filter(pk=invitation.customer_id).update(
            **{_CONSENT_FIELD[invitation.channel]: False}
        )
        Invitation.objects.filter(pk=invitation.pk, opted_out_at__isnull=True).update(
            opted_out_at=timezone.now()
        )


def _trigger_events(trigger: Trigger, now) -> list[tuple[int, int]]:
    """(event object id, customer id) of events old enough for the trigger's delay, not yet
    seen by it, that happened while the trigger was on (switching one on does not invite for
    all of history)."""
    ripe = now - dt.timedelta(hours=trigger.delay_hours)
    if trigger.event == TriggerEvent.PURCHASE_DELIVERED:
        events = Purchase.objects.filter(
            delivered_at__lte=ripe, delivered_at__gte=trigger.active_since, returned=False
        )
    else:
        events = Interaction.objects.filter(
            closed_at__lte=ripe, closed_at__gte=trigger.active_since
        )
    seen = TriggerFiring.objects.filter(trigger=trigger, source_id=OuterRef("pk"))
    return list(events.exclude(Exists(seen)).order_by("pk").values_list("pk", "customer_id"))


def triggers_scan(now=None) -> int:
    """Record each new event once per trigger and invite its customer when eligible."""
    now = now or timezone.now()
    invited = 0
    triggers = Trigger.objects.filter(is_active=True, survey__status="open").select_related(
        "survey"
    )
    for trigger in triggers:
        if not trigger.survey.is_accepting_answers(now):
            continue
        for source_id, customer_id in _trigger_events(trigger, now):
            with transaction.atomic():
                firing, created = TriggerFiring.objects.get_or_create(
                    trigger=trigger, source_id=source_id, defaults={"customer_id": customer_id}
                )
                if not created:
                    continue
                result = eligible_customers(
                    survey=trigger.survey,
                    channel=trigger.channel,
                    customers=Customer.objects.filter(pk=customer_id),
                    now=now,
                    once_per_survey=False,
                )
                if customer_id not in result.eligible:
                    firing.outcome = next(r for r, n in result.excluded.items() if n)
                    firing.save(update_fields=["outcome"])
                    continue
                customer = Customer.objects.get(pk=customer_id)
                about = (
                    {"purchase_id": source_id}
                    if trigger.event == TriggerEvent.PURCHASE_DELIVERED
                    else {"interaction_id": source_id}
                )
                firing.invitation = Invitation.objects.create(
                    survey=trigger.survey,
                    customer=customer,
                    trigger=trigger,
                    channel=trigger.channel,
                    address=result.eligible[customer_id],
                    language=customer.language,
                    **about,
                )
                firing.outcome = "invited"
                firing.save(update_fields=["invitation", "outcome"])
                invited += 1
    if invited:
        _enqueue_sending()
    return invited
