"""`manyi apply_retention`: apply the retention policy now (the scheduler runs it daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from manyi.privacy import retention


class Command(BaseCommand):
    help = (
        "Remove the contact details of inactive customers and clear old open-text answers, "
        "as MANYI_RETENTION_CONTACT_DAYS and MANYI_RETENTION_OPEN_TEXT_DAYS say (0: keep)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--contact-days",
            type=int,
            default=None,
            help="Override MANYI_RETENTION_CONTACT_DAYS for this run (0: keep).",
        )
        parser.add_argument(
            "--open-text-days",
            type=int,
            default=None,
            help="Override MANYI_RETENTION_OPEN_TEXT_DAYS for this run (0: keep).",
        )

    def handle(self, *args, contact_days, open_text_days, **options):
        contact_days = (
            settings.MANYI_RETENTION_CONTACT_DAYS if contact_days is None else contact_days
        )
        open_text_days = (
            settings.MANYI_RETENTION_OPEN_TEXT_DAYS if open_text_days is None else open_text_days
        )
        result = retention.retention_apply(contact_days=contact_days, open_text_days=open_text_days)
        self.stdout.write(
            f"contact details: {'off' if not contact_days else f'{contact_days} days'}; "
            f"removed {result.contact_points} contact points and "
            f"{result.invitation_addresses} invitation addresses of {result.customers} customers"
        )
        self.stdout.write(
            f"open text: {'off' if not open_text_days else f'{open_text_days} days'}; "
            f"cleared {result.answers} answers"
        )
