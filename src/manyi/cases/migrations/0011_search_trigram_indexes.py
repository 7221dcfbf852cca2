"""Trigram indexes for the case queue's search (PostgreSQL only): `icontains` is
UPPER(column::text) LIKE UPPER('%...%'), which a GIN index of the same expression with
pg_trgm's operator class answers without reading every case (bench/cases.py: the search of
100,000 open cases went from 423 ms to tens of ms). pg_trgm is a trusted extension (the
database owner may create it); where it cannot be created the search still works, by
reading the rows, and the migration says so."""

import logging

from django.db import migrations, transaction

log = logging.getLogger(__name__)

INDEXES = (
    ("case_subject_trgm", "cases_case", "subject"),
    ("customer_name_trgm", "customers_customer", "name"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # no right to create it: search without the indexes
        log.warning("pg_trgm is not available (%s): the case search reads every row", error)
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_lighter_sla_writes"),
        ("customers", "0002_import_jobs_in_background_private_files"),
    ]

    operations = [migrations.RunPython(create, drop)]
