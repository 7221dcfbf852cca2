"""Replies to the customer by e-mail or SMS, and message templates (话术) filled for a case.

A reply is written in the case's thread at once and queued as a `CaseMessage`; the periodic
task sends it under an idempotency key (the same on every attempt), so a sender killed after
the provider accepted the message but before it recorded that sends again with the same key
and the provider does not deliver twice. Failed attempts are retried with a growing delay."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from manyi.core.sms import send_sms
from manyi.surveys.services.distribution import addresses_of, retry_delay, stale_before

from .choices import EntryKind, MessageStatus, ReplyChannel
from .models import Case, CaseEntry, CaseMessage, MessageTemplate
from .placeholders import fill, our_product, sender_values

log = logging.getLogger(__name__)

SENT = (ReplyChannel.EMAIL, ReplyChannel.SMS)  # a phone reply is a record of the call


def address_of(customer, channel: str) -> str | None:
    """The customer's address for `channel` as an invitation would use it: the primary
    e-mail address or phone number, else the oldest."""
    if channel not in SENT:
        return None
    return addresses_of([customer.pk], channel).get(customer.pk)


def values_for(case: Case, user) -> dict[str, str]:
    """What each placeholder stands for in this case."""
    product = ""
    if case.purchase is not None:  # only the case's own purchase: another would mislead
        item = case.purchase.items.select_related("product").order_by("pk").first()
        product = item.product.name if item else ""
    return {
        "customer_name": case.customer.name,
        "product": product,
        "case_no": case.number,
        **sender_values(user),
        "subject": case.subject,
    }


def filled(template: MessageTemplate, case: Case, user) -> tuple[str, str]:
    """(subject, text) of the template for this case, as plain text; a case about no
    purchase says "our product" in the template's language."""
    values = values_for(case, user)
    values["product"] = values["product"] or our_product(template.language)
    return fill(template.subject, values), fill(template.body, values)


def templates_for(case: Case):
    """Active templates, those in the customer's language first."""
    language = case.customer.language or settings.LANGUAGE_CODE
    templates = list(MessageTemplate.objects.filter(is_active=True))
    return sorted(templates, key=lambda t: (t.language != language, t.purpose, t.name))


@transaction.atomic
def queue(entry: CaseEntry, *, subject: str = "") -> CaseMessage | None:
    """Queue the reply `entry` for sending by its channel (phone replies are a record only)."""
    if entry.kind != EntryKind.REPLY or entry.reply_channel not in SENT:
        return None
    address = address_of(entry.case.customer, entry.reply_channel)
    if address is None:
        raise ValueError("no address")
    return CaseMessage.objects.create(
        entry=entry,
        channel=entry.reply_channel,
        address=address,
        subject=subject[:200],
        body=entry.body,
    )


def idempotency_key(message: CaseMessage) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{message.pk}".encode()).hexdigest()[:16]
    return f"manyi-case-message-{message.pk}-{digest}"


def _due(now: dt.datetime) -> Q:
    waiting = Q(status=MessageStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=MessageStatus.SENDING, attempt_at__lt=stale_before(now))
    return waiting | abandoned


def _deliver(message: CaseMessage) -> tuple[bool, str, str, bool]:
    """(ok, provider id, error, permanent) of one attempt."""
    key = idempotency_key(message)
    if message.channel == ReplyChannel.SMS:
        try:
            result = send_sms(to=message.address, text=message.body, idempotency_key=key)
        except Exception as exc:  # an adapter that raises instead of reporting
            return False, "", str(exc)[:300], False
        return result.ok, result.provider_id[:255], result.error[:300], result.permanent
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    message_id = f"<{key}@{domain}>"
    email = EmailMessage(
        subject=message.subject
        or (message.entry.case.subject if message.entry else message.followup.template.name),
        body=message.body,
        to=[message.address],
        headers={"Message-ID": message_id},
    )
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as exc:
        return False, "", str(exc)[:300], True
    except Exception as exc:
        return False, "", str(exc)[:300], False
    return True, message_id[:255], "", False


def send(message_id: int, now: dt.datetime | None = None) -> CaseMessage | None:
    """Claim the message (if due), send it, record the outcome."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            CaseMessage.objects.select_for_update(of=("self",))
            .filter(_due(now), pk=message_id)
            .select_related("entry__case", "followup__template")
            .first()
        )
        if message is None:
            return None
        message.status, message.attempt_at = MessageStatus.SENDING, now
        message.attempts += 1
        message.save(update_fields=["status", "attempt_at", "attempts"])
    ok, provider_id, error, permanent = _deliver(message)
    message.provider_id, message.error = provider_id, error
    if ok:
        message.status, message.sent_at = MessageStatus.SENT, timezone.now()
    elif permanent or message.attempts >= settings.MANYI_SEND_MAX_ATTEMPTS:
        message.status = MessageStatus.FAILED
        log.warning("case message %s failed: %s", message.pk, error)
    else:
        message.status = MessageStatus.PENDING
        message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
    message.save(update_fields=["status", "sent_at", "provider_id", "error", "next_attempt_at"])
    return message


def send_due(limit: int = 500) -> int:
    now = timezone.now()
    ids = list(
        CaseMessage.objects.filter(_due(now)).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if (m := send(pk, now)) and m.status == MessageStatus.SENT)
