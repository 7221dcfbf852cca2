"""Bulk follow-up of a selection of customers with a message template (话术): a periodic
check-in, holiday care, asking about needs.

Who gets it follows the invitations' rules (`surveys.services.distribution`): consent to be
contacted on the channel, an address on it, and the contact-frequency cap, which counts
follow-ups as well as survey invitations. Each message is filled in for its customer (in
the customer's language where the template exists in it) and written at once, in one
transaction; the periodic sender sends them as it sends case replies, under an idempotency
key, so a killed worker neither loses nor repeats one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from manyi.customers.models import Customer, PurchaseItem
from manyi.surveys.services.distribution import eligible_customers

from .choices import MessageStatus
from .models import CaseMessage, FollowUp, MessageTemplate
from .placeholders import fill, names_in, our_product, sender_values

# A follow-up is about no case: these placeholders have nothing to stand for.
CASE_ONLY = ("case_no", "subject")


def case_only_placeholders(template: MessageTemplate) -> list[str]:
    used = names_in(template.subject) + names_in(template.body)
    return [n for n in CASE_ONLY if n in used]


def _recently_followed_up(customer_ids, now) -> set[int]:
    since = now - dt.timedelta(days=settings.MANYI_CONTACT_MIN_DAYS)
    return set(
        CaseMessage.objects.filter(
            customer_id__in=customer_ids, followup__isnull=False, created_at__gte=since
        )
        .exclude(status__in=[MessageStatus.FAILED, MessageStatus.SKIPPED])
        .values_list("customer_id", flat=True)
    )


@dataclass(frozen=True)
class Selection:
    selected: int
    eligible: dict[int, str]  # customer id -> address
    excluded: dict[str, int]  # reason -> count


def select(customers, channel: str, now=None) -> Selection:
    """Who of `customers` may get a follow-up on `channel` now, and why the others not."""
    now = now or timezone.now()
    result = eligible_customers(
        survey=None, channel=channel, customers=customers, now=now, once_per_survey=False
    )
    excluded = {k: v for k, v in result.excluded.items() if k != "already_invited"}
    recent = _recently_followed_up(list(result.eligible), now)
    eligible = {pk: a for pk, a in result.eligible.items() if pk not in recent}
    excluded["contacted_recently"] += len(result.eligible) - len(eligible)
    return Selection(customers.count(), eligible, excluded)


def _latest_products(customer_ids) -> dict[int, str]:
    """Each customer's most recently bought product (its first line)."""
    rows = (
        PurchaseItem.objects.filter(purchase__customer_id__in=customer_ids)
        .order_by("purchase__customer_id", "-purchase__purchased_at", "pk")
        .values_list("purchase__customer_id", "product__name")
    )
    products: dict[int, str] = {}
    for customer_id, name in rows:
        products.setdefault(customer_id, name)
    return products


def _variants(template: MessageTemplate) -> dict[str, MessageTemplate]:
    """The template in each language it exists in (templates of one name are translations)."""
    same = MessageTemplate.objects.filter(name=template.name, is_active=True)
    return {t.language: t for t in same} | {template.language: template}


@dataclass(frozen=True)
class Filled:
    language: str
    subject: str
    body: str


def fill_for(template: MessageTemplate, customers: list[Customer], user) -> dict[int, Filled]:
    """The message for each customer, as plain text, in their language where it exists."""
    variants = _variants(template)
    products = _latest_products([c.pk for c in customers])
    sender = sender_values(user)
    filled = {}
    for customer in customers:
        chosen = variants.get(customer.language or settings.LANGUAGE_CODE, template)
        product = products.get(customer.pk) or our_product(chosen.language)
        values = {"customer_name": customer.name, "product": product, **sender,
                  "case_no": "", "subject": ""}  # fmt: skip
        filled[customer.pk] = Filled(
            chosen.language, fill(chosen.subject, values), fill(chosen.body, values)
        )
    return filled


def preview(template: MessageTemplate, selection: Selection, user) -> Filled | None:
    """The message the first eligible customer would receive."""
    if not selection.eligible:
        return None
    customer = Customer.objects.get(pk=min(selection.eligible))
    return fill_for(template, [customer], user)[customer.pk]


class NobodyToSend(Exception):
    """No customer of the selection may receive the follow-up."""


@transaction.atomic
def followup_create(*, template, channel: str, customers, user, filters: dict) -> FollowUp:
    """Write the follow-up and one message per eligible customer, then let the sender send
    them. All or nothing: a failure leaves no half-written follow-up."""
    selection = select(customers, channel)
    if not selection.eligible:
        raise NobodyToSend
    followup = FollowUp.objects.create(
        template=template,
        channel=channel,
        filters=filters,
        created_by=user,
        summary={
            "selected": selection.selected,
            "eligible": len(selection.eligible),
            **selection.excluded,
        },
    )
    ids = sorted(selection.eligible)
    for start in range(0, len(ids), 1000):
        chunk = list(Customer.objects.filter(pk__in=ids[start : start + 1000]).order_by("pk"))
        texts = fill_for(template, chunk, user)
        CaseMessage.objects.bulk_create(
            CaseMessage(
                followup=followup,
                customer=customer,
                channel=channel,
                address=selection.eligible[customer.pk],
                subject=texts[customer.pk].subject[:200],
                body=texts[customer.pk].body,
            )
            for customer in chunk
        )
    from .tasks import messages_send

    transaction.on_commit(messages_send.enqueue)
    return followup
