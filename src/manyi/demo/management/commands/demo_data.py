"""`manyi demo_data`: fill the database with the deterministic demo data set and print the
logins. The run command calls it with --if-empty on every start; benchmarks pass large sizes."""

from __future__ import annotations

import argparse
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from manyi.analytics import counts
from manyi.demo import generator, vocab
from manyi.demo.context import Sizes


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {number}")
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = (
        "Create a deterministic demo data set (teams, users, products, customers, purchases, "
        "interactions, surveys and their responses): the same seed, sizes and --until always "
        "give the same data."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--customers", type=_count, default=defaults.customers)
        parser.add_argument("--purchases", type=_count, default=defaults.purchases)
        parser.add_argument("--interactions", type=_count, default=defaults.interactions)
        parser.add_argument(
            "--responses",
            type=_count,
            default=defaults.responses,
            help="Survey responses, over five surveys (default: %(default)s).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=generator.DEFAULT_SEED,
            help="Same seed, sizes and --until: same data (default: %(default)s).",
        )
        parser.add_argument(
            "--until",
            type=_date,
            help="Data ends at the midnight starting this day (default: today).",
        )
        parser.add_argument(
            "--password",
            default=generator.DEFAULT_PASSWORD,
            help="Password of every demo login (default: %(default)s).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete customers, purchases, interactions, products, segments, tags and surveys "
            "first "
            "(users and teams are kept and updated).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if there are customers already.",
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=5000,
            help="Rows generated and inserted at a time; does not change the data.",
        )

    def handle(self, *args, **options):
        if options["reset"] and options["if_empty"]:
            raise CommandError("--reset and --if-empty contradict each other; use one.")
        sizes = Sizes(
            options["customers"],
            options["purchases"],
            options["interactions"],
            options["responses"],
        )
        if not sizes.customers and (sizes.purchases or sizes.interactions):
            raise CommandError("Purchases and interactions need at least one customer.")
        if generator.has_data():
            if options["if_empty"]:
                if options["verbosity"]:
                    self.stdout.write("Customers exist already: demo data not created.")
                return
            if not options["reset"]:
                raise CommandError(
                    "The database already holds customers. Run with --reset to replace "
                    "customers, purchases, interactions, products, segments and tags with "
                    "demo data."
                )
        until = options["until"] or timezone.localdate()
        started = time.perf_counter()
        with transaction.atomic():
            if options["reset"]:
                generator.reset()
            ctx = generator.generate(
                sizes=sizes,
                seed=options["seed"],
                until=until,
                password=options["password"],
                batch_size=options["batch_size"],
                progress=self.progress if options["verbosity"] > 1 else None,
            )
        # The dashboards' rollups, filled at once rather than by the scheduler's first
        # run, and fresh planner statistics after a bulk write (PostgreSQL runs here with
        # autovacuum off; SQLite's planner uses them too).
        counts.rebuild()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if options["verbosity"]:
            self.summary(ctx.counts, seed=options["seed"], until=until, started=started)
            self.logins(options["password"])

    def progress(self, domain: str, seconds: float) -> None:
        self.stdout.write(f"  {domain}: {seconds:.1f} s")

    def summary(self, counts: dict[str, int], *, seed: int, until: dt.date, started: float):
        c = counts
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data (seed {seed}, until {until}) created in {seconds:.1f} s:"
            )
        )
        self.stdout.write(
            f"  {c['customers']:,} customers ({c['contacts']:,} contact points, "
            f"{c['customer_tags']:,} tag links), {c['purchases']:,} purchases "
            f"({c['purchase_items']:,} items), {c['interactions']:,} interactions\n"
            f"  {c['products']} products, {c['segments']} segments, {c['tags']} tags, "
            f"{c['teams']} teams, {c['users']} users\n"
            f"  {c.get('surveys', 0)} surveys, {c.get('invitations', 0):,} invitations, "
            f"{c.get('responses', 0):,} responses ({c.get('answers', 0):,} answers)"
        )

    def logins(self, password: str) -> None:
        teams = {key: name for key, name, _lead in vocab.TEAMS}
        self.stdout.write(f"\nLogins (password: {password}):")
        self.stdout.write(f"  {'username':<14}{'role':<10}team")
        for username, role, team_key, _name in vocab.USERS:
            self.stdout.write(f"  {username:<14}{role:<10}{teams.get(team_key, '-')}")
