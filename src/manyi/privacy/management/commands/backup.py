"""`manyi backup`: the database and the uploaded files in one archive (see docs/backup.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from manyi.privacy.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, SQLite's online backup on SQLite) and "
        "the uploaded files into one .tar.gz archive with a manifest of every table's rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "output",
            nargs="?",
            help="Archive to write (default: DATA_DIR/backups/manyi-<time>.tar.gz).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args, output, database, **options):
        if not output:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.DATA_DIR) / "backups" / f"manyi-{stamp}.tar.gz"
        try:
            manifest = backup_create(output=Path(output), alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        files = sum(manifest["files"].values())
        if options["verbosity"]:
            self.stdout.write(
                f"{output}: {manifest['engine']} database, {len(manifest['tables'])} tables, "
                f"{rows} rows, {files} files"
            )
