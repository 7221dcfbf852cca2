"""Plain INSERTs (COPY on PostgreSQL) for the demo generator. `bulk_create` runs every value
of every row through the ORM's compiler, which made it five times slower than the database
itself, and a benchmark data set has millions of rows. Values still pass through the
backend's own adapters, so the database receives what the ORM would send it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import connections, models, router

_NO_VALUE = object()


class Table:
    """Inserts rows given as tuples in `columns` order (field names; a foreign key takes the
    related pk). Fields left out get their constant default or NULL; a field with neither,
    or with a computed default, must be listed, so a new required field fails loudly."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        opts = model._meta
        fields = [opts.get_field(name) for name in columns]
        self.fixed = []
        for field in opts.concrete_fields:
            if field.primary_key or field in fields:
                continue
            value = _constant_default(field)
            if value is _NO_VALUE:
                raise ValueError(f"{opts.label}.{field.name} needs a value in demo rows")
            fields.append(field)
            self.fixed.append(value)
        self.adapters = [self._adapter(field) for field in fields]
        quote = self.connection.ops.quote_name
        names = ", ".join(quote(field.column) for field in fields)
        marks = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {quote(opts.db_table)} ({names}) VALUES ({marks})"
        self.copy_sql = f"COPY {quote(opts.db_table)} ({names}) FROM STDIN"

    def _adapter(self, field: models.Field) -> Callable | None:
        ops = self.connection.ops
        if isinstance(field, models.DateTimeField):
            if self.connection.vendor == "sqlite" and settings.USE_TZ:
                # What SQLite's adapter does with an aware datetime, without the checks that
                # made it a fifth of the run time.
                tz = self.connection.timezone
                return lambda value: str(value.astimezone(tz).replace(tzinfo=None))
            return ops.adapt_datetimefield_value
        if isinstance(field, models.DecimalField):
            return lambda value: ops.adapt_decimalfield_value(
                value, field.max_digits, field.decimal_places
            )
        return None

    def insert(self, rows: Sequence[tuple]) -> int:
        if not rows:
            return 0
        fixed = tuple(self.fixed)
        with self.connection.cursor() as cursor:
            copy = getattr(cursor.cursor, "copy", None)  # psycopg 3
            if self.connection.vendor == "postgresql" and copy is not None:
                # One stream instead of a statement per row: ten times faster. psycopg
                # adapts the values itself, as it does for the ORM.
                with copy(self.copy_sql) as stream:
                    for row in rows:
                        stream.write_row(row + fixed)
            else:
                cursor.executemany(self.sql, self._adapt(rows, fixed))
        return len(rows)

    def _adapt(self, rows: Sequence[tuple], fixed: tuple) -> list[list]:
        adapters = [(i, adapt) for i, adapt in enumerate(self.adapters) if adapt]
        params = []
        for row in rows:
            values = list(row + fixed)
            for i, adapt in adapters:
                if values[i] is not None:
                    values[i] = adapt(values[i])
            params.append(values)
        return params

    def pks(self, key: str, first: str, last: str) -> list[int]:
        """The pks of rows whose `key` (fixed-width codes such as C0000001) lies between
        first and last, in key order: how inserted rows are found again on any backend."""
        opts = self.model._meta
        quote = self.connection.ops.quote_name
        column = quote(opts.get_field(key).column)
        sql = (
            f"SELECT {quote(opts.pk.column)} FROM {quote(opts.db_table)} "
            f"WHERE {column} BETWEEN %s AND %s ORDER BY {column}"
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [first, last])
            return [pk for (pk,) in cursor.fetchall()]


def _constant_default(field: models.Field):
    if field.has_default() and not callable(field.default):
        return field.get_default()
    if field.null:
        return None
    return _NO_VALUE
