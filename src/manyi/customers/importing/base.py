"""What every kind of import shares: the importer interface and bulk look-ups by name.

An importer works on a chunk of parsed rows at a time. `check()` only reads (it resolves
references and adds row errors), so the preview can call it; `save()` writes the rows that
have no errors with a handful of bulk queries per chunk, never one query per row.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, models, router
from django.utils.translation import gettext as _

from manyi.accounts.models import Team

from .columns import HeaderMap
from .rows import ParsedRow


@dataclass(frozen=True)
class Saved:
    created: int = 0
    updated: int = 0

    def __add__(self, other: Saved) -> Saved:
        return Saved(self.created + other.created, self.updated + other.updated)


class Importer(ABC):
    kind: str
    # Purchases keep the lines of one order in one chunk, so an order is written whole.
    keep_groups_together = False

    def __init__(self, header_map: HeaderMap):
        self.header_map = header_map
        self._teams: dict[str, int] | None = None

    def record_key(self, row: ParsedRow) -> str:
        """Rows with the same key write the same record (the last one wins)."""
        return row.values.get("external_id", "")

    @abstractmethod
    def check(self, rows: list[ParsedRow]) -> None:
        """Add row errors that need the database (unknown customer, team, ...)."""

    @abstractmethod
    def save(self, rows: list[ParsedRow]) -> Saved:
        """Write checked rows in bulk; return what was created and updated."""

    def committed(self, rows: list[ParsedRow]) -> None:  # noqa: B027 (a hook, optional)
        """Called once `rows` are saved for good (their transaction committed)."""

    def header(self, field: str) -> str:
        return self.header_map.header_for(field)

    def resolve_team(self, row: ParsedRow) -> None:
        """Turn the row's team name into `team_id`; an unknown team is the row's error."""
        name = row.values.get("team")
        if name is None:
            return
        if self._teams is None:
            self._teams = {}
            for pk, team_name in Team.objects.values_list("pk", "name"):
                self._teams[team_name] = pk
                self._teams.setdefault(team_name.casefold(), pk)
        pk = self._teams.get(name, self._teams.get(name.casefold()))
        if pk is None:
            row.fail(self.header("team"), _("There is no team called “%(name)s”.") % {"name": name})
        else:
            row.values["team_id"] = pk


def ids_by_name(model: type[models.Model], names: Iterable[str]) -> dict[str, int]:
    """Ids of the rows of `model` called `names`, creating those that do not exist yet."""
    wanted = set(names)
    if not wanted:
        return {}
    found = dict(model.objects.filter(name__in=wanted).values_list("name", "pk"))
    missing = wanted - found.keys()
    if missing:
        model.objects.bulk_create([model(name=name) for name in missing], ignore_conflicts=True)
        found.update(model.objects.filter(name__in=missing).values_list("name", "pk"))
    return found


def customer_ids(external_ids: Iterable[str]) -> dict[str, int]:
    from ..models import Customer

    wanted = set(external_ids)
    if not wanted:
        return {}
    return dict(Customer.objects.filter(external_id__in=wanted).values_list("external_id", "pk"))


def resolve_customers(importer: Importer, rows: list[ParsedRow]) -> None:
    """Put each row's customer pk in `customer`; an unknown customer ID fails the row."""
    known = customer_ids(row.values["customer_id"] for row in rows if "customer_id" in row.values)
    for row in rows:
        external_id = row.values.get("customer_id")
        if external_id is None:
            continue
        pk = known.get(external_id)
        if pk is None:
            row.fail(
                importer.header("customer_id"),
                _("There is no customer with the ID “%(id)s”.") % {"id": external_id},
            )
        else:
            row.values["customer"] = pk


def bulk_update(model: type[models.Model], objs: list[models.Model], fields: list[str]) -> None:
    """Write `fields` of `objs` with one UPDATE ... FROM (VALUES ...) per batch.

    Django's bulk_update builds a CASE expression per field and row and spends milliseconds
    per row doing so; this statement costs about as much as an insert. `updated_at`-style
    automatic fields are not touched: set them on the objects and list them in `fields`."""
    if not objs or not fields:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor not in ("postgresql", "sqlite") or (
        connection.vendor == "sqlite" and connection.Database.sqlite_version_info < (3, 33)
    ):
        model.objects.bulk_update(objs, fields)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name

    def cast(field, value: str) -> str:
        # PostgreSQL needs the VALUES columns typed; SQLite's column affinity does the work.
        if connection.vendor == "postgresql":
            return f"CAST({value} AS {field.db_type(connection)})"
        return value

    names = [f"c{i}" for i in range(len(columns))]
    assignments = ", ".join(
        f"{quote(field.column)} = {cast(field, 'v.' + name)}"
        for field, name in zip(columns[1:], names[1:], strict=True)
    )
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batch = max(1, 30_000 // len(columns))  # under SQLite's 32,766 parameters per statement
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            part = objs[start : start + batch]
            params = [
                field.get_db_prep_save(getattr(obj, field.attname), connection)
                for obj in part
                for field in columns
            ]
            cursor.execute(
                f"WITH v ({', '.join(names)}) AS (VALUES {', '.join([row_sql] * len(part))}) "
                f"UPDATE {quote(meta.db_table)} SET {assignments} FROM v "
                f"WHERE {quote(meta.db_table)}.{quote(meta.pk.column)} = {cast(meta.pk, 'v.c0')}",
                params,
            )
