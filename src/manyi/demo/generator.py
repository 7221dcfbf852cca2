"""A deterministic, realistic demo data set, of any size.

One function per domain (staff, catalogue, customers, activity) works on a shared `Context`:
one `random.Random` seeded from the command line and one moment where the data ends. Nothing
else is random and only the default end date (today) reads the clock, so the same seed, sizes
and end date give the same data on every machine and database. A domain added later (surveys,
cases) appends its function to `DOMAINS` and draws from the same stream after the existing
ones, leaving their data unchanged. Rows are built and inserted in batches, so memory stays
bounded whatever the size.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from manyi.accounts.choices import Role
from manyi.accounts.models import Team, User
from manyi.benchmarks.models import BenchmarkScore, Competitor
from manyi.cases.models import Case, CaseAttachment, CaseEntry, CaseRule, Notification
from manyi.customers.models import (
    ContactPoint,
    Customer,
    Interaction,
    Product,
    Purchase,
    PurchaseItem,
    Segment,
    Tag,
)
from manyi.improvement.models import Check, Entry, Improvement
from manyi.surveys.models import (
    Answer,
    Distribution,
    Invitation,
    Question,
    QuestionItem,
    Response,
    Survey,
    SurveyVersion,
    Trigger,
    TriggerFiring,
)

from . import vocab
from .activity import create_activity
from .benchmarks import create_benchmarks
from .cases import create_cases
from .context import Context, Sizes, money
from .improvement import create_improvements
from .people import create_customers
from .surveys import create_surveys

DEFAULT_SEED = 20261123
DEFAULT_PASSWORD = "manyi-demo"

# Deleted by --reset, dependants first. Users and teams stay: they are logins, not data.
RESET_MODELS = (
    Check,
    Entry,
    Improvement,
    Notification,
    CaseAttachment,
    CaseEntry,
    Case.tags.through,
    Case,
    CaseRule,
    BenchmarkScore,
    Competitor,
    Answer,
    Response,
    TriggerFiring,
    Invitation,
    Trigger,
    Distribution,
    QuestionItem,
    Question,
    Survey,
    SurveyVersion,
    Interaction,
    PurchaseItem,
    Purchase,
    ContactPoint,
    Customer.tags.through,
    Customer,
    Product,
    Segment,
    Tag,
)


def has_data() -> bool:
    return Customer.objects.exists()


def reset() -> None:
    """Delete the demo domains' rows with one statement per table: Django's cascading delete
    would load every customer into memory first. Rows of other apps that point at them (a
    survey invitation to a customer) go the way their foreign key says, through the ORM."""
    doomed = set(RESET_MODELS)
    with transaction.atomic():
        for model in RESET_MODELS:
            for relation in model._meta.get_fields(include_hidden=True):
                # Reverse foreign keys, hidden ones (related_name="+", many-to-many
                # through tables) included.
                if relation.one_to_many and relation.related_model not in doomed:
                    _release(relation)
        with connection.cursor() as cursor:
            for model in RESET_MODELS:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _release(relation) -> None:
    """Detach or delete the rows of another model that refer to rows about to be deleted."""
    name = relation.field.name
    rows = relation.related_model._base_manager.filter(**{f"{name}__isnull": False})
    if relation.on_delete is models.SET_NULL:
        rows.update(**{name: None})
    elif relation.on_delete is not models.DO_NOTHING:
        rows.delete()  # CASCADE as the ORM does it; PROTECT refuses, as it should


def create_staff(ctx: Context) -> None:
    """Teams and the demo logins. Existing ones are updated, so re-running after --reset (or
    on a database where someone changed a role) always leaves the documented logins."""
    by_key = {}
    for key, name, _lead in vocab.TEAMS:
        regions = "、".join(r.name for r in vocab.REGIONS if r.team == key)
        description = (
            f"负责{regions}的客户。"
            if regions
            else "负责线上渠道（官方商城、App、电商平台）的客户。"
        )
        team, _ = Team.objects.update_or_create(name=name, defaults={"description": description})
        by_key[key] = team
    # One hash for all: the demo logins share a password, and hashing is slow by design
    # (half a second each), which would dominate the run time of a small data set.
    password = make_password(ctx.password)
    users = {}
    for username, role, team_key, display_name in vocab.USERS:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = Role(role)
        user.team = by_key.get(team_key)
        user.first_name, user.last_name = display_name, ""
        user.email = user.email or f"{username}@example.com"
        user.is_active = True
        user.password = password
        user.save()
        users[username] = user
    for key, _name, lead in vocab.TEAMS:
        by_key[key].lead = users[lead]
        by_key[key].save(update_fields=["lead"])
    ctx.teams = [by_key[key] for key, _name, _lead in vocab.TEAMS]
    ctx.agent_ids = [users[lead].pk for _key, _name, lead in vocab.TEAMS]
    ctx.counts.update(teams=len(ctx.teams), users=len(users))


def create_catalogue(ctx: Context) -> None:
    segments = Segment.objects.bulk_create(
        Segment(name=name, description=description) for _key, name, description in vocab.SEGMENTS
    )
    tags = Tag.objects.bulk_create(Tag(name=name) for name in vocab.TAGS)
    products = Product.objects.bulk_create(
        Product(sku=p.sku, name=p.name, category=p.category, price=money(p.price * 100))
        for p in vocab.PRODUCTS
    )
    ctx.segment_ids = [s.pk for s in segments]
    ctx.tag_ids = {t.name: t.pk for t in tags}
    ctx.product_ids = [p.pk for p in products]
    ctx.counts.update(segments=len(segments), tags=len(tags), products=len(products))


# In order: each domain uses what the previous ones made. New domains go at the end.
DOMAINS: tuple[Callable[[Context], None], ...] = (
    create_staff,
    create_catalogue,
    create_customers,
    create_activity,
    create_surveys,
    create_benchmarks,
    create_cases,
    create_improvements,
)


def generate(
    *,
    sizes: Sizes,
    seed: int = DEFAULT_SEED,
    until: dt.date,
    password: str = DEFAULT_PASSWORD,
    batch_size: int = 5000,
    progress: Callable[[str, float], None] | None = None,
) -> Context:
    """Build the whole data set in one transaction: a failed run leaves nothing behind, so
    `--if-empty` on the next start tries again instead of keeping half a data set."""
    ctx = Context(
        sizes=sizes,
        rng=random.Random(seed),
        until=until,
        password=password,
        batch_size=batch_size,
    )
    if progress:
        ctx.progress = progress
    with transaction.atomic(), _checked_as_inserted():
        for domain in DOMAINS:
            started = time.perf_counter()
            domain(ctx)
            ctx.progress(domain.__name__.removeprefix("create_"), time.perf_counter() - started)
    return ctx


@contextlib.contextmanager
def _checked_as_inserted():
    """PostgreSQL defers Django's foreign key checks to the commit, queueing one event per
    row: with millions of rows that queue took a third of the run time. Rows are inserted
    parents first, so they can be checked at once."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
