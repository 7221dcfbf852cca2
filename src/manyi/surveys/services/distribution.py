"""Inviting customers: select, sample, respect consent and the contact-frequency cap, send,
remind, and invite automatically after events. Every step is safe to run twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


def recently_contacted(now=None, *, besides: int | None = None) -> Q:
    """Customers with an invitation (sent, or waiting to be) within the contact interval;
    the invitation `besides` does not count (a follow-up to the answer it brought)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=settings.MANYI_CONTACT_MIN_DAYS)
    recent = (
        Invitation.objects.filter(customer=OuterRef("pk"))
        .exclude(status__in=[InvitationStatus.SKIPPED, InvitationStatus.FAILED])
        .annotate(contacted_at=Coalesce("sent_at", "send_after", "created_at"))
        .filter(contacted_at__gte=since)
    )
    if besides is not None:
        recent = recent.exclude(pk=besides)
    return Q(Exists(recent))


def addresses_of(customer_ids, channel: str) -> dict[int, str]:
    """Each customer's address on the channel: the primary contact, else the oldest one."""
    contacts = ContactPoint.objects.filter(
        customer_id__in=customer_ids, kind=_CONTACT_KIND[channel]
    ).order_by("customer_id", "-is_primary", "pk")
    addresses: dict[int, str] = {}
    for customer_id, value in contacts.values_list("customer_id", "value"):
        addresses.setdefault(customer_id, value)
    return addresses


# Why a customer is left out of a sending (Eligibility.excluded), as the pages say it.
EXCLUSION_REASONS = {
    "no_consent": gettext_lazy("No consent to be contacted on this channel"),
    "no_contact": gettext_lazy("No address on this channel"),
    "already_invited": gettext_lazy("Already invited to this survey (or to this wave)"),
    "contacted_recently": gettext_lazy("Contacted recently (contact-frequency cap)"),
}


@dataclass(frozen=True)
class Eligibility:
    eligible: dict[int, str]  # customer id -> address
    excluded: dict[str, int]  # reason -> count


def eligible_customers(
    *,
    survey: Survey,
    channel: str,
    customers,
    now=None,
    once_per_survey: bool = True,
    wave=None,
    cap_besides: int | None = None,
) -> Eligibility:
    """Split a customer queryset into those who may be invited now and why the others not.
    A distribution invites a customer to a survey once, or once per wave for a survey asked
    in waves; triggers may ask again after each event. Always within the contact-frequency
    cap."""
    ids = set(customers.values_list("pk", flat=True))
    consented = set(
        Customer.objects.filter(pk__in=ids, **{_CONSENT_FIELD[channel]: True}).values_list(
            "pk", flat=True
        )
    )
    addresses = addresses_of(consented, channel)
    already = set()
    if once_per_survey:
        invited = Invitation.objects.filter(survey=survey, customer_id__in=ids)
        if wave is not None:
            invited = invited.filter(wave=wave)
        already = set(invited.values_list("customer_id", flat=True))
    capped = set(
        Customer.objects.filter(
            recently_contacted(now, besides=cap_besides), pk__in=ids
        ).values_list("pk", flat=True)
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
    and scoped to what `user` may see). The same selection and seed draw the same sample.
    A survey asked in waves invites into the current wave (the one of `send_after`, if
    given): a customer invited in an earlier wave may be invited again."""
    from .waves import wave_for

    wave = wave_for(survey, send_after)
    result = eligible_customers(survey=survey, channel=channel, customers=customers, wave=wave)
    chosen = draw_sample(result.eligible, seed=seed, size=sample_size, percent=sample_percent)
    distribution = Distribution.objects.create(
        survey=survey,
        channel=channel,
        wave=wave,
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
            wave=wave,
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


@dataclass(frozen=True)
class Delivery:
    """What the provider answered to one attempt."""

    ok: bool
    error: str = ""
    delivered: bool = False  # the provider confirmed delivery itself
    provider_id: str = ""
    permanent: bool = False  # sending again cannot help (the address was refused)


def idempotency_key(invitation: Invitation, *, reminder: bool = False) -> str:
    """The same for every attempt at one message, so a provider that accepted it once answers
    a retry with that acceptance instead of delivering twice. The invitation id says which;
    a digest of its token keeps the keys of two databases (a staging copy on the same provider
    account) apart, without revealing the token."""
    digest = hashlib.sha256(invitation.token.encode()).hexdigest()[:16]
    return f"manyi-invitation-{invitation.pk}-{digest}{'-reminder' if reminder else ''}"


def _message_id(key: str) -> str:
    # An email's idempotency key is its Message-ID: the same on every attempt, so mail
    # services and clients that see a message twice know it for one message.
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or DNS_NAME.get_fqdn()
    return f"<{key}@{domain}>"


@dataclass(frozen=True)
class Message:
    """An invitation as its customer receives it: an SMS text, or an email's subject and
    body (plain text: names and titles are never markup)."""

    channel: str
    language: str
    subject: str
    body: str
    opt_out_url: str


def _plain(text: str) -> str:
    """The rendered text as a plain str. Message templates render with autoescape off (an
    email is plain text), and render_to_string marks its result safe: a page that showed it
    would then emit a customer's name as markup."""
    return "".join([text])


def render_invitation(invitation: Invitation, *, reminder: bool = False) -> Message:
    """The invitation's message in the customer's language: what is sent, and what the
    distribution page previews (with an unsaved invitation)."""
    context = {
        "invitation": invitation,
        "customer": invitation.customer,
        "survey_title": invitation.survey.title(invitation.language),
        "url": respond_url(invitation),
        "opt_out_url": opt_out_url(invitation),
        "reminder": reminder,
    }
    with translation.override(invitation.language):
        if invitation.channel == InvitationChannel.SMS:
            text = render_to_string("surveys/messages/invitation_sms.txt", context).strip()
            return Message(
                invitation.channel, invitation.language, "", _plain(text), context["opt_out_url"]
            )
        subject = render_to_string("surveys/messages/invitation_subject.txt", context)
        body = render_to_string("surveys/messages/invitation_email.txt", context)
    return Message(
        invitation.channel,
        invitation.language,
        _plain(" ".join(subject.split())),
        _plain(body),
        context["opt_out_url"],
    )


def invitation_preview(*, survey: Survey, channel: str, customer_id: int, address: str) -> Message:
    """The message one customer of a selection would get, before anything is sent; its link
    is a placeholder, since each invitation gets its own token when it is created."""
    customer = Customer.objects.get(pk=customer_id)
    invitation = Invitation(
        survey=survey,
        customer=customer,
        channel=channel,
        address=address,
        language=customer.language or settings.LANGUAGE_CODE,
        token="PERSONAL-LINK",
    )
    return render_invitation(invitation)


def _deliver(invitation: Invitation, *, reminder: bool) -> Delivery:
    """Send the invitation (or its reminder) in the customer's language, under its
    idempotency key."""
    key = idempotency_key(invitation, reminder=reminder)
    message = render_invitation(invitation, reminder=reminder)
    if invitation.channel == InvitationChannel.SMS:
        text = message.body
        try:
            result = send_sms(to=invitation.address, text=text, idempotency_key=key)
        except Exception as exc:  # a provider adapter that raises instead of reporting
            log.warning("invitation %s not sent: %s", invitation.pk, exc)
            return Delivery(ok=False, error=str(exc)[:300])
        # Invitation.error holds 300 characters; a provider's message may be longer.
        return Delivery(
            ok=result.ok,
            error=result.error[:300],
            delivered=result.delivered,
            provider_id=result.provider_id[:255],
            permanent=result.permanent,
        )
    message_id = _message_id(key)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        to=[invitation.address],
        headers={"List-Unsubscribe": f"<{message.opt_out_url}>", "Message-ID": message_id},
    )
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:  # the server will not take this address
        log.warning("invitation %s refused: %s", invitation.pk, exc)
        return Delivery(ok=False, error=str(exc)[:300], permanent=True)
    except Exception as exc:  # any other transport failure is recorded and retried
        log.warning("invitation %s not sent: %s", invitation.pk, exc)
        return Delivery(ok=False, error=str(exc)[:300])
    # Email has no delivery receipt: accepted by the mail server counts as delivered.
    return Delivery(ok=True, delivered=True, provider_id=message_id[:255])


def _consent_withdrawn(invitation: Invitation) -> bool:
    return not getattr(invitation.customer, _CONSENT_FIELD[invitation.channel])


def _address_removed(invitation: Invitation) -> bool:
    """The address copied into the invitation is no longer the customer's (they asked for it
    to be removed, or the retention policy removed it): it must not be used."""
    return not ContactPoint.objects.filter(
        customer_id=invitation.customer_id,
        kind=_CONTACT_KIND[invitation.channel],
        value=invitation.address,
    ).exists()


def stale_before(now) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.MANYI_SEND_STALE_SECONDS)


def _sendable(now) -> Q:
    """Invitations an attempt may start on now: waiting (and past a failed attempt's back-off),
    or left SENDING longer than the stale limit by a sender that died."""
    waiting = Q(status=InvitationStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=InvitationStatus.SENDING, attempt_at__lt=stale_before(now))
    return waiting | abandoned


def retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=settings.MANYI_SEND_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def invitation_send(*, invitation_id: int) -> Invitation:
    """Send one invitation so that a crash at any point loses nothing and sends nothing twice.

    1. The attempt is recorded and committed first (SENDING, attempt_at, attempts + 1); the
       conditional update is the claim, so two workers never attempt the same one at once.
    2. The provider gets the message with the invitation's idempotency key.
    3. Its acceptance is recorded (SENT, sent_at, provider_id); a failure is recorded with its
       error and tried again after a back-off, up to MANYI_SEND_MAX_ATTEMPTS.
    A sender killed between 1 and 3 leaves the invitation SENDING; once that attempt is older
    than MANYI_SEND_STALE_SECONDS it is made again under the same key, and the provider, which
    has seen the key if the first attempt reached it, does not deliver twice.

    Must run outside a transaction (as tasks do), so that step 1 is committed before step 2."""
    now = timezone.now()
    claimed = Invitation.objects.filter(_sendable(now), pk=invitation_id).update(
        status=InvitationStatus.SENDING,
        attempt_at=now,
        attempts=F("attempts") + 1,
        next_attempt_at=None,
    )
    invitation = Invitation.objects.select_related("survey", "customer").get(pk=invitation_id)
    if not claimed:
        return invitation
    if invitation.attempts > settings.MANYI_SEND_MAX_ATTEMPTS:
        # Only an abandoned attempt gets here: its senders died every time.
        error = _("No answer from the provider after %(n)d attempts.") % {
            "n": invitation.attempts - 1
        }
        return _mark(invitation, InvitationStatus.FAILED, error=error)
    if not invitation.survey.is_accepting_answers(now):
        return _mark(invitation, InvitationStatus.SKIPPED, error=_("The survey is not open."))
    if _consent_withdrawn(invitation):
        return _mark(invitation, InvitationStatus.SKIPPED, error=_("The customer opted out."))
    if _address_removed(invitation):
        return _mark(invitation, InvitationStatus.SKIPPED, error=_("The address was removed."))
    delivery = _deliver(invitation, reminder=False)
    answered = timezone.now()
    if delivery.ok:
        # The provider's word is final: record it unless the invitation already has an outcome
        # (another attempt at the same key got there first).
        Invitation.objects.filter(
            pk=invitation.pk, status__in=[InvitationStatus.SENDING, InvitationStatus.PENDING]
        ).update(
            status=InvitationStatus.SENT,
            sent_at=answered,
            delivered_at=answered if delivery.delivered else None,
            provider_id=delivery.provider_id,
            error="",
            next_attempt_at=None,
        )
    else:
        give_up = delivery.permanent or invitation.attempts >= settings.MANYI_SEND_MAX_ATTEMPTS
        # Only this attempt's own outcome: a newer attempt may have started meanwhile.
        Invitation.objects.filter(
            pk=invitation.pk, status=InvitationStatus.SENDING, attempt_at=invitation.attempt_at
        ).update(
            status=InvitationStatus.FAILED if give_up else InvitationStatus.PENDING,
            error=delivery.error,
            next_attempt_at=None if give_up else answered + retry_delay(invitation.attempts),
        )
    invitation.refresh_from_db()
    return invitation


def _mark(invitation: Invitation, status: str, *, error: str = "") -> Invitation:
    invitation.status = status
    invitation.error = error
    if status != InvitationStatus.SENT:
        invitation.sent_at = None
    invitation.save(update_fields=["status", "error", "sent_at"])
    return invitation


def invitations_due(now=None):
    """Invitations to attempt now: waiting ones whose time has come, failed attempts past their
    back-off, and attempts abandoned by a sender that died."""
    now = now or timezone.now()
    return Invitation.objects.filter(_sendable(now)).filter(
        Q(send_after__isnull=True) | Q(send_after__lte=now)
    )


def invitations_send_due(*, limit: int = 1000, batch: int = 200) -> int:
    """Attempt up to `limit` due invitations in id order, reading them in batches so that
    invitations added meanwhile are seen too. One that raises is logged and left for the next
    run (it stays SENDING until stale); the others still go."""
    attempted = 0
    after = 0
    while attempted < limit:
        ids = list(
            invitations_due()
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[: min(batch, limit - attempted)]
        )
        if not ids:
            break
        for pk in ids:
            try:
                invitation_send(invitation_id=pk)
            except Exception:
                log.exception("invitation %s: sending failed unexpectedly", pk)
            attempted += 1
        after = ids[-1]
    return attempted


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
        .filter(_reminder_attemptable(now))
        .filter(opted_out_at__isnull=True)
        .exclude(Exists(submitted))
    )


def _reminder_attemptable(now) -> Q:
    """No reminder attempt yet, or one abandoned by a sender that died."""
    return Q(reminder_attempt_at__isnull=True) | Q(reminder_attempt_at__lt=stale_before(now))


def reminders_send(*, limit: int = 1000) -> int:
    """Send due reminders, each once, as `invitation_send` sends invitations: the attempt is
    recorded (and is the claim) before the provider is called, `reminded_at` after; an attempt
    whose sender died is made again once stale, under the same idempotency key, so the
    provider takes it once. A reminder is not retried after the provider refused it."""
    sent = 0
    for pk in list(reminders_due().order_by("pk").values_list("pk", flat=True)[:limit]):
        now = timezone.now()
        claimed = (
            Invitation.objects.filter(pk=pk, reminded_at__isnull=True)
            .filter(_reminder_attemptable(now))
            .update(reminder_attempt_at=now)
        )
        if not claimed:
            continue  # another worker has it
        invitation = Invitation.objects.select_related("survey", "customer").get(pk=pk)
        if _consent_withdrawn(invitation) or _address_removed(invitation):
            # Decided not to remind: recorded as done so that it is not looked at again.
            Invitation.objects.filter(pk=pk).update(reminded_at=timezone.now())
            continue
        delivery = _deliver(invitation, reminder=True)
        done = {"reminded_at": timezone.now()}
        if delivery.ok:
            sent += 1
        else:
            done["error"] = delivery.error
        Invitation.objects.filter(pk=pk).update(**done)
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
