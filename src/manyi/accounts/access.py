"""What a user may see and do: decided here and nowhere else.

Every page, export and API view asks `can()` for actions and `read_scope()` / `write_scope()`
for rows; each model's queryset turns a `Scope` into a filter (`Customer.objects.visible_to`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from .choices import Role


class Action(enum.StrEnum):
    VIEW_RECORDS = "view_records"
    EDIT_RECORDS = "edit_records"
    IMPORT_DATA = "import_data"
    EXPORT_DATA = "export_data"
    MANAGE_SURVEYS = "manage_surveys"
    ENTER_RESPONSES = "enter_responses"
    ADMINISTER = "administer"
    # Personal data: contact details unmasked everywhere; one contact detail revealed on
    # request (logged; agents, for customers of their team); a customer's data exported or
    # erased, and the audit log read.
    SEE_CONTACTS = "see_contacts"
    REVEAL_CONTACTS = "reveal_contacts"
    MANAGE_PERSONAL_DATA = "manage_personal_data"
    # Improvement actions (PDCA) measure the whole company's figures: read by the roles that
    # see every team, planned and checked by administrators and analysts.
    VIEW_IMPROVEMENTS = "view_improvements"
    MANAGE_IMPROVEMENTS = "manage_improvements"


_ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.ANALYST: frozenset(
        {
            Action.VIEW_RECORDS,
            Action.EDIT_RECORDS,
            Action.IMPORT_DATA,
            Action.EXPORT_DATA,
            Action.MANAGE_SURVEYS,
            Action.ENTER_RESPONSES,
            Action.VIEW_IMPROVEMENTS,
            Action.MANAGE_IMPROVEMENTS,
        }
    ),
    Role.AGENT: frozenset(
        {
            Action.VIEW_RECORDS,
            Action.EDIT_RECORDS,
            Action.ENTER_RESPONSES,
            Action.REVEAL_CONTACTS,
        }
    ),
    Role.VIEWER: frozenset({Action.VIEW_RECORDS, Action.VIEW_IMPROVEMENTS}),
}

# Roles whose record rights cover every team; an agent's cover their own team only.
_ALL_TEAMS_ROLES = frozenset({Role.ADMIN, Role.ANALYST, Role.VIEWER})


@dataclass(frozen=True)
class Scope:
    """The rows a user reaches: all of them, or those belonging to some teams."""

    everything: bool = False
    team_ids: frozenset[int] = frozenset()

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.team_ids

    def apply(self, queryset, team_filter: Callable[[frozenset[int]], Q]):
        """Narrow `queryset` to this scope; `team_filter` says how a model belongs to teams."""
        if self.everything:
            return queryset
        if self.nothing:
            return queryset.none()
        return queryset.filter(team_filter(self.team_ids))


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can(user, action: Action) -> bool:
    return _active(user) and action in _ROLE_ACTIONS.get(user.role, frozenset())


def _scope_for(user, action: Action) -> Scope:
    if not can(user, action):
        return NOTHING
    if user.role in _ALL_TEAMS_ROLES:
        return EVERYTHING
    return Scope(team_ids=frozenset({user.team_id})) if user.team_id else NOTHING


def read_scope(user) -> Scope:
    return _scope_for(user, Action.VIEW_RECORDS)


def write_scope(user) -> Scope:
    return _scope_for(user, Action.EDIT_RECORDS)
