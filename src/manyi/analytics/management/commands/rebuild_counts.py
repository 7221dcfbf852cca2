from django.core.management.base import BaseCommand

from manyi.analytics import counts


class Command(BaseCommand):
    help = "Recompute the answer and response count tables from all responses."

    def handle(self, *args, **options):
        until = counts.rebuild()
        self.stdout.write(f"count tables rebuilt up to {until:%Y-%m-%d %H:%M:%S %Z}")
