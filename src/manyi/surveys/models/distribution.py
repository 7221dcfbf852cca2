"""Who is asked: invitations (each with its own unguessable token), the selections and samples
that produced them, and the event triggers that invite automatically."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts import access

from ..choices import InvitationChannel, InvitationStatus, TriggerEvent


def invitation_token() -> str:
    # 192 random bits: a token is the respondent's only credential.
    return secrets.token_urlsafe(24)


class Distribution(models.Model):
    """One sending: the customer selection (filters), the random sample drawn from it and
    what became of each selected customer."""

    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="distributions",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=InvitationChannel)
    wave = models.ForeignKey(
        "surveys.SurveyWave",
        verbose_name=_("wave"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributions",
    )
    filters = models.JSONField(_("selection"), default=dict, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    sample_percent = models.DecimalField(
        _("sample share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    seed = models.BigIntegerField(_("random seed"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # What happened to the selection: {"selected": n, "sampled": n, "invited": n,
    # "no_consent": n, "no_contact": n, "contacted_recently": n, "already_invited": n}
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")

    def __str__(self) -> str:
        return f"{self.survey} · {self.get_channel_display()} · {self.created_at:%Y-%m-%d}"


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return access.read_scope(user).apply(self, lambda teams: Q(customer__team_id__in=teams))


class Invitation(models.Model):
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    wave = models.ForeignKey(
        "surveys.SurveyWave",
        verbose_name=_("wave"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
    )
    distribution = models.ForeignKey(
        Distribution,
        verbose_name=_("distribution"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    trigger = models.ForeignKey(
        "surveys.Trigger",
        verbose_name=_("trigger"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    # What the invitation asks about, when an event triggered it: results can then be cut
    # by the product bought and by the staff member who handled the contact.
    purchase = models.ForeignKey(
        "customers.Purchase",
        verbose_name=_("about purchase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    interaction = models.ForeignKey(
        "customers.Interaction",
        verbose_name=_("about interaction"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=InvitationChannel)
    token = models.CharField(max_length=64, unique=True, default=invitation_token)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    address = models.CharField(_("sent to"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus, default=InvitationStatus.PENDING
    )
    error = models.CharField(_("error"), max_length=300, blank=True)
    send_after = models.DateTimeField(_("send after"), null=True, blank=True)
    # Sending survives a crash: each attempt is recorded (SENDING, attempt_at, attempts) before
    # the provider is called and its acceptance (SENT, sent_at, provider_id) after; a failed
    # attempt waits until next_attempt_at. See services.distribution.invitation_send.
    attempts = models.PositiveSmallIntegerField(_("sending attempts"), default=0)
    attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    provider_id = models.CharField(
        _("provider's message id"), max_length=255, blank=True, default=""
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    # The reminder's attempt, recorded before the provider is called; reminded_at is set only
    # after. An attempt without reminded_at older than the stale limit is made again.
    reminder_attempt_at = models.DateTimeField(_("reminder attempt"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("opted out"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(fields=["customer", "sent_at"], name="invitation_customer_sent"),
            models.Index(fields=["status", "send_after"], name="invitation_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values), name="invitation_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer}"


class Trigger(models.Model):
    """Invite a customer automatically some time after an event concerning them."""

    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="triggers",
    )
    event = models.CharField(_("event"), max_length=30, choices=TriggerEvent)
    delay_hours = models.PositiveIntegerField(_("delay (hours)"), default=24)
    channel = models.CharField(_("channel"), max_length=10, choices=InvitationChannel)
    is_active = models.BooleanField(_("active"), default=True)
    # Events before this moment never fire: switching a trigger on does not invite for what
    # happened while it was off (or before it existed).
    active_since = models.DateTimeField(_("active since"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["survey", "event"]
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")
        constraints = [
            models.CheckConstraint(
                condition=Q(event__in=TriggerEvent.values), name="trigger_event_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.get_event_display()} + {self.delay_hours} h"


class TriggerFiring(models.Model):
    """One event seen by one trigger: unique, so scanning the same events twice is harmless."""

    trigger = models.ForeignKey(
        Trigger, verbose_name=_("trigger"), on_delete=models.CASCADE, related_name="firings"
    )
    # The event's object: a purchase (delivered) or an interaction (closed), by trigger event.
    source_id = models.BigIntegerField(_("event object"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    fired_at = models.DateTimeField(_("fired"), auto_now_add=True)
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why no invitation was made (no consent, contacted recently, ...), for the record.
    outcome = models.CharField(_("outcome"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("trigger firing")
        verbose_name_plural = _("trigger firings")
        constraints = [
            models.UniqueConstraint(fields=["trigger", "source_id"], name="firing_unique_source")
        ]

    def __str__(self) -> str:
        return f"{self.trigger} ← #{self.source_id}"
