"""The audit log: who viewed, revealed, exported, changed or erased personal data, and who
changed roles or teams. Append-only: a row is written once and never changed; rows go only
when they are older than the retention period (`services.audit_purge`).

The actor and the customer are kept as plain ids with no database constraint (and a name
snapshot for the actor), so deleting a user or a customer never touches the log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction


class AppendOnlyError(PermissionDenied):
    """An attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only; see privacy.services.audit_purge.")

    def _purge(self) -> int:
        """Delete these rows: for the retention purge only."""
        return super().delete()[0]


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    # What was done, never the personal data itself: field names, export kind and filters,
    # contact kind, role before and after.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["customer", "at"], name="audit_customer_time"),
            models.Index(fields=["actor", "at"], name="audit_actor_time"),
            models.Index(fields=["action", "at"], name="audit_action_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="audit_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class Erasure(models.Model):
    """A customer whose personal data was erased on request: the stub that stays. Kept as long
    as the customer row (the audit event of the erasure goes with the audit retention)."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="erasure",
    )
    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    erased_by_name = models.CharField(_("erased by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"#{self.customer_id}"
