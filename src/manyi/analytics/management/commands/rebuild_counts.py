from django.core.management.base import BaseCommand

from manyi.analytics import counts


class Command(BaseCommand):
    help = "Recompute the dashboards' rollups (answers, responses, item pairs) from all responses."

    def handle(self, *args, **options):
        until = counts.rebuild()
        self.stdout.write(f"rollups rebuilt up to {until:%Y-%m-%d %H:%M:%S %Z}")
