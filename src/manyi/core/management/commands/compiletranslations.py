"""Compile .po catalogues to .mo with polib, so a new machine needs no GNU gettext.

Django's own `compilemessages` calls `msgfmt`; this does the same job in Python. Compiled
files are build output and stay out of the repository."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (.po) into .mo files."

    def handle(self, *args, **options):
        count = 0
        for root in map(Path, settings.LOCALE_PATHS):
            for po_path in root.glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                count += 1
        self.stdout.write(f"compiled {count} catalogue(s)")
