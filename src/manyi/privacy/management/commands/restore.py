"""`manyi restore`: put back a `manyi backup` archive (see docs/backup.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from manyi.privacy.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive into this site's database and upload folders. Refuses a "
        "database that holds users, customers or surveys unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="An archive written by `manyi backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace what the database holds; move non-empty upload folders aside.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args, archive, force, database, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        try:
            result = backup_restore(archive=path, alias=database, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"]:
            manifest = result.manifest
            self.stdout.write(
                f"Restored the backup of {manifest['created_at']} (manyi "
                f"{manifest['manyi_version']}): {len(result.tables)} tables, "
                f"{sum(result.tables.values())} rows, {sum(result.files.values())} files."
            )
            for path in result.moved_aside:
                self.stdout.write(f"The previous files are kept in {path}.")
            self.stdout.write("Run `manyi migrate` if this version of manyi is newer.")
