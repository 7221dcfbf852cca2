"""The preview shown before an import runs: how the columns were understood and what the first
rows would become, as display text, so the user can spot a wrong mapping before confirming."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..choices import Channel, Gender, ImportKind, InteractionKind, Outcome, PurchaseChannel
from .columns import COLUMNS, HeaderMap
from .readers import Cell
from .rows import ParsedRow, RowError


@dataclass(frozen=True)
class PreviewColumn:
    header: str  # as written in the file
    field: str
    label: str


@dataclass(frozen=True)
class PreviewRow:
    number: int
    values: tuple[str, ...]  # one per recognised column, in the same order
    errors: tuple[RowError, ...]


@dataclass(frozen=True)
class ImportPreview:
    kind: str
    columns: tuple[PreviewColumn, ...] = ()
    unrecognised: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # canonical headers of required columns not in the file
    total_rows: int = 0
    rows: tuple[PreviewRow, ...] = ()
    problem: str = ""  # why the file cannot be imported at all; empty when it can

    @property
    def can_import(self) -> bool:
        return not self.problem


# (value, label) pairs of the fields whose codes the user should see as labels.
_CHOICES = {
    ImportKind.CUSTOMERS: {"gender": Gender.choices, "language": settings.LANGUAGES},
    ImportKind.PURCHASES: {"channel": PurchaseChannel.choices},
    ImportKind.INTERACTIONS: {
        "kind": InteractionKind.choices,
        "channel": Channel.choices,
        "outcome": Outcome.choices,
    },
}


def build_preview(
    kind: str,
    header_map: HeaderMap,
    rows: list[tuple[ParsedRow, list[Cell]]],
    total: int,
    problem: str,
) -> ImportPreview:
    """Parsed values where a cell parsed, the cell as written where it did not."""
    columns = tuple(
        PreviewColumn(
            header=header_map.header_for(column.field), field=column.field, label=str(column.label)
        )
        for column in header_map.columns
    )
    return ImportPreview(
        kind=kind,
        columns=columns,
        unrecognised=header_map.unrecognised,
        missing=tuple(column.header for column in header_map.missing),
        total_rows=total,
        rows=tuple(
            PreviewRow(
                number=row.number,
                values=tuple(
                    display(kind, c.field, row.values[c.field])
                    if c.field in row.values
                    else _raw(cells, header_map.positions[c.field])
                    for c in columns
                ),
                errors=tuple(row.errors),
            )
            for row, cells in rows
        ),
        problem=problem,
    )


def _raw(cells: list[Cell], position: int) -> str:
    cell = cells[position] if position < len(cells) else ""
    return cell.isoformat() if isinstance(cell, dt.date) else str(cell).strip()


def display(kind: str, field: str, value) -> str:
    """A parsed value as the user should recognise it in the preview table."""
    if value is None:
        return ""
    labels = _CHOICES[kind].get(field)
    if labels is not None:
        return str(dict(labels).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def preview_as_json(preview: ImportPreview) -> dict:
    """The preview as kept on the job (labels are looked up again when it is shown, in the
    language of whoever looks)."""
    return {
        "columns": [[c.header, c.field] for c in preview.columns],
        "unrecognised": list(preview.unrecognised),
        "missing": list(preview.missing),
        "total_rows": preview.total_rows,
        "rows": [
            {
                "number": row.number,
                "values": list(row.values),
                "errors": [[e.row, e.column, e.message] for e in row.errors],
            }
            for row in preview.rows
        ],
        "problem": preview.problem,
    }


def preview_from_json(kind: str, data: dict, *, limit: int | None = None) -> ImportPreview:
    labels = {column.field: column.label for column in COLUMNS[kind]}
    return ImportPreview(
        kind=kind,
        columns=tuple(
            PreviewColumn(header=header, field=field, label=str(labels.get(field, field)))
            for header, field in data.get("columns", ())
        ),
        unrecognised=tuple(data.get("unrecognised", ())),
        missing=tuple(data.get("missing", ())),
        total_rows=data.get("total_rows", 0),
        rows=tuple(
            PreviewRow(
                number=row["number"],
                values=tuple(row["values"]),
                errors=tuple(RowError(*error) for error in row["errors"]),
            )
            for row in data.get("rows", ())[:limit]
        ),
        problem=data.get("problem", ""),
    )
