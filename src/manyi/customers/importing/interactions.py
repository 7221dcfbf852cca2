"""Interactions: matched on external ID, or on an ID derived from the row when it has none.

An interaction entered by hand has no external ID; when a row with a derived ID describes it
exactly (same customer, time, type, channel, subject and content), the row updates it and
gives it that ID, so exporting and importing again never duplicates it.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.accounts.models import User

from ..choices import Channel, ImportKind, InteractionKind
from ..models import Interaction
from ..signals import interaction_saved
from .base import Importer, Saved, bulk_update, resolve_customers
from .rows import ParsedRow

_PLAIN_FIELDS = (
    "kind",
    "channel",
    "occurred_at",
    "subject",
    "content",
    "outcome",
    "outcome_note",
    "closed_at",
    "team_id",
    "handled_by_id",
)


class InteractionImporter(Importer):
    kind = ImportKind.INTERACTIONS

    def check(self, rows: list[ParsedRow]) -> None:
        resolve_customers(self, rows)
        users = _users(row.values["handled_by"] for row in rows if "handled_by" in row.values)
        for row in rows:
            self.resolve_team(row)
            name = row.values.get("handled_by")
            if name is None:
                continue
            user = users.get(name) or users.get(name.lower())
            if user is None:
                row.fail(
                    self.header("handled_by"),
                    _("There is no user with the user name or email “%(name)s”.") % {"name": name},
                )
            else:
                row.values["handled_by_id"], row.values["handler_team_id"] = user

    def save(self, rows: list[ParsedRow]) -> Saved:
        if not rows:
            return Saved()
        keys = {row.values["external_id"] for row in rows}
        existing = Interaction.objects.in_bulk(keys, field_name="external_id")
        existing.update(
            _entered_by_hand([r for r in rows if r.values["external_id"] not in existing])
        )
        now = timezone.now()
        records: dict[str, Interaction] = {}
        changed: set[str] = {"customer_id", "external_id"}
        for row in rows:
            values, key = row.values, row.values["external_id"]
            interaction = records.get(key) or existing.get(key)
            if interaction is None:
                interaction = Interaction(
                    external_id=key, channel=Channel.OTHER, team_id=values.get("handler_team_id")
                )
            records[key] = interaction
            interaction.external_id = key
            interaction.customer_id = values["customer"]
            for field in _PLAIN_FIELDS:
                if field in values:
                    setattr(interaction, field, values[field])
                    changed.add(field)
        new = [record for key, record in records.items() if key not in existing]
        old = [record for key, record in records.items() if key in existing]
        Interaction.objects.bulk_create(new)
        if old:
            for interaction in old:
                interaction.updated_at = now
            bulk_update(Interaction, old, [*sorted(changed), "updated_at"])
        _announce_complaints(records, created=set(records) - set(existing))
        return Saved(created=len(new), updated=len(old))


def _announce_complaints(records: dict[str, Interaction], created: set[str]) -> None:
    """Tell the apps that follow complaints (a complaint opens a case) about the imported
    ones, in the chunk's transaction: the case is written with its interaction or not at
    all, and a resumed import finds the case and opens no second one."""
    complaints = [key for key, i in records.items() if i.kind == InteractionKind.COMPLAINT]
    if not complaints:
        return
    saved = Interaction.objects.filter(external_id__in=complaints).select_related("customer")
    for interaction in saved.order_by("pk"):
        interaction_saved.send(
            sender=Interaction,
            interaction=interaction,
            created=interaction.external_id in created,
            user=None,
            imported=True,
        )


def _users(names) -> dict[str, tuple[int, int | None]]:
    """(pk, team id) by user name and by lower-cased email."""
    wanted = set(names)
    if not wanted:
        return {}
    lowered = {name.lower() for name in wanted}
    found: dict[str, tuple[int, int | None]] = {}
    matches = (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(Q(username__in=wanted) | Q(email_lower__in=lowered))
        .values_list("pk", "team_id", "username", "email_lower")
    )
    for pk, team_id, username, email in matches:
        found[username] = (pk, team_id)
        if email:
            found.setdefault(email, (pk, team_id))
    return found


def _entered_by_hand(rows: list[ParsedRow]) -> dict[str, Interaction]:
    """Interactions without an external ID that rows with a derived ID describe exactly."""
    derived = [row for row in rows if row.values.get("derived_id")]
    if not derived:
        return {}
    candidates = defaultdict(list)
    for interaction in Interaction.objects.filter(
        external_id__isnull=True,
        customer_id__in={row.values["customer"] for row in derived},
        occurred_at__in={row.values["occurred_at"] for row in derived},
    ):
        candidates[(interaction.customer_id, interaction.occurred_at)].append(interaction)
    found: dict[str, Interaction] = {}
    claimed: set[int] = set()
    for row in derived:
        values = row.values
        if values["external_id"] in found:
            continue
        for interaction in candidates.get((values["customer"], values["occurred_at"]), ()):
            if interaction.pk not in claimed and _describes(values, interaction):
                found[values["external_id"]] = interaction
                claimed.add(interaction.pk)
                break
    return found


def _describes(values: dict, interaction: Interaction) -> bool:
    return (
        interaction.kind == values["kind"]
        and interaction.channel == values.get("channel", interaction.channel)
        and interaction.subject == values.get("subject", "")
        and interaction.content == values.get("content", "")
    )
