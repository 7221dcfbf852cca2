"""Cases at scale (issue 17): the case queue with 1M cases, and the SLA evaluation of 100k open
cases, on PostgreSQL.

    .venv/bin/python bench/cases.py [--cases 1000000] [--open 100000] [--reuse]

1. Builds a database (`manyi_bench_cases`): the demo data (customers, teams, the demo logins),
   then `--cases` cases written in SQL, spread over two years and the demo's customers and
   teams; `--open` of them open (new, assigned, in progress, waiting, reopened) with their
   SLA moments computed as the app stores them, the rest resolved or closed. ANALYZE after.
2. Times the queue (`/cases/`) as an administrator (every team) and as an agent (one team),
   its "late" and "mine" views, a search by case number and a case page: median of 5 after
   a warm-up, with /healthz as the anchor.
3. Times the complaint figures page (/cases/figures/, the last 90 days).
4. Times `cases.sla.evaluate()`: a routine run (a minute after the last one: nothing or a
   few cases due) and the worst run, when the stored moments of all open cases have passed
   at once (each escalated, with its notifications).
Writes bench/results/cases-<date>.md with the machine description.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from machine import describe, median_ms  # bench/machine.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def build(connection, total: int, open_count: int) -> None:
    """Cases in SQL: customers and teams from the demo; open ones get SLA moments."""
    from manyi.cases import sla
    from manyi.cases.models import Case

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cases_case")
        if cursor.fetchone()[0] >= total:
            return
        cursor.execute("TRUNCATE cases_case CASCADE")
        cursor.execute("SELECT MIN(id), MAX(id) FROM customers_customer")
        low, high = cursor.fetchone()
        cursor.execute("SELECT id FROM accounts_team ORDER BY id")
        teams = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM accounts_user WHERE role = 'agent' ORDER BY id")
        agents = [row[0] for row in cursor.fetchall()]
        closed = total - open_count
        # Closed and resolved cases: the history, over two years.
        cursor.execute(
            f"""
            INSERT INTO cases_case (case_type, severity, channel, source, status, subject,
              description, customer_id, team_id, owner_id, opened_at, first_response_at,
              resolved_at, closed_at, reopened_count, root_cause, resolution, version,
              response_used, resolution_used, response_level, resolution_level,
              created_at, updated_at)
            SELECT 'complaint', (ARRAY['low','normal','normal','high'])[1 + g % 4], 'phone',
              'survey', CASE WHEN g % 5 = 0 THEN 'resolved' ELSE 'closed' END,
              'Case ' || g, '', {low} + (g * 7919) % ({high} - {low} + 1),
              (ARRAY{teams})[1 + g % {len(teams)}], (ARRAY{agents})[1 + g % {len(agents)}],
              now() - (g % 730) * interval '1 day' - interval '3 days',
              now() - (g % 730) * interval '1 day' - interval '2 days',
              now() - (g % 730) * interval '1 day' - interval '1 day',
              CASE WHEN g % 5 = 0 THEN NULL ELSE now() - (g % 730) * interval '1 day' END,
              (g % 17 = 0)::int, '', 'done', 1, interval '1 hour', interval '5 hours', 0, 0,
              now(), now()
            FROM generate_series(1::bigint, {closed}) AS g
            """
        )
        cursor.execute(
            f"""
            INSERT INTO cases_case (case_type, severity, channel, source, status, subject,
              description, customer_id, team_id, owner_id, opened_at, reopened_count,
              root_cause, resolution, version, response_used, resolution_used,
              response_level, resolution_level, created_at, updated_at)
            SELECT 'complaint', (ARRAY['low','normal','normal','high'])[1 + g % 4], 'phone',
              'survey',
              (ARRAY['new','assigned','in_progress','in_progress','waiting','reopened'])[1 + g % 6],
              'Open case ' || g, '', {low} + (g * 104729) % ({high} - {low} + 1),
              (ARRAY{teams})[1 + g % {len(teams)}], (ARRAY{agents})[1 + g % {len(agents)}],
              now() - (g % 20) * interval '1 day' - (g % 24) * interval '1 hour',
              0, '', '', 1, interval '0', interval '0', 0, 0, now(), now()
            FROM generate_series(1::bigint, {open_count}) AS g
            """
        )
    # The SLA as the app stores it, computed by the app, written through a temporary table
    # and one UPDATE ... FROM (Django's bulk_update writes a CASE per row: quadratic).
    calendars = sla.Calendars()
    fields = [f for f in sla.SLA_FIELDS if f != "policy"] + ["policy_id"]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_sla AS SELECT id, "
            + ", ".join(fields)
            + " FROM cases_case WITH NO DATA"
        )
    ids = list(
        Case.objects.filter(status__in=["new", "assigned", "in_progress", "reopened"])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), 5000):
        rows = []
        for case in Case.objects.filter(pk__in=ids[start : start + 5000]):
            sla.start(case, case.opened_at, calendars)
            rows.append([case.pk, *(getattr(case, f) for f in fields)])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO bench_sla (id, {', '.join(fields)}) "
                f"VALUES ({', '.join(['%s'] * (len(fields) + 1))})",
                rows,
            )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case c SET "
            + ", ".join(f"{f} = s.{f}" for f in fields)
            + " FROM bench_sla s WHERE s.id = c.id"
        )
        cursor.execute("DROP TABLE bench_sla")
    with connection.cursor() as cursor:  # autovacuum is off on this machine
        cursor.execute("VACUUM ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="manyi_bench_cases")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the database built before")
    args = parser.parse_args()
    url = f"{args.postgres}/{args.database}"
    env = {**os.environ, "DATABASE_URL": url, "MANYI_DEBUG": "false", "MANYI_DB_POOL": "false"}
    manyi = [sys.executable, "-m", "manyi"]
    if not args.reuse:
        for statement in (f'DROP DATABASE IF EXISTS "{args.database}"',
                          f'CREATE DATABASE "{args.database}"'):  # fmt: skip
            subprocess.run(["psql", f"{args.postgres}/postgres", "-qc", statement], check=True)
        subprocess.run([*manyi, "migrate", "-v0", "--noinput"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [*manyi, "demo_data", "--responses", "2000"], env=env, check=True, cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "manyi.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from manyi.accounts.models import User
    from manyi.cases import sla
    from manyi.cases.models import Case, Notification

    started = time.perf_counter()
    build(connection, args.cases, args.open)
    with connection.cursor() as cursor:  # a database built and evaluated before: as new
        cursor.execute("VACUUM ANALYZE cases_case")
    build_s = time.perf_counter() - started
    total = Case.objects.count()
    open_now = Case.objects.open().count()
    print(f"== {total:,} cases, {open_now:,} open (built in {build_s:.0f} s)", flush=True)
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    settings_text = []
    with connection.cursor() as cursor:
        for name in ("shared_buffers", "work_mem", "autovacuum", "server_version"):
            cursor.execute(f"SHOW {name}")
            settings_text.append(f"{name}={cursor.fetchone()[0]}")

    admin, agent = Client(), Client()
    admin.force_login(User.objects.get(username="admin"))
    agent_user = User.objects.get(username="agent_east")
    agent.force_login(agent_user)
    anchor = median_ms(lambda: admin.get("/healthz"), args.rounds)
    some = Case.objects.open().filter(team=agent_user.team).order_by("-pk").first()
    pages = [
        ("queue, administrator (all teams)", admin, "/cases/"),
        ("queue, agent (own team)", agent, "/cases/"),
        ("late cases, administrator", admin, "/cases/?state=late"),
        ("my open cases, agent", agent, "/cases/?state=mine"),
        ("all cases, page 50, administrator", admin, "/cases/?state=all&page=50"),
        ("search by case number", admin, f"/cases/?state=all&q={some.number}"),
        ("search by text, open cases", admin, "/cases/?q=Open+case+4242"),
        ("one case", agent, f"/cases/{some.pk}/"),
    ]
    times = {}
    for name, client, url in pages:
        assert client.get(url).status_code == 200, url
        times[name] = median_ms(lambda c=client, u=url: c.get(u), args.rounds)
        print(f"  {name:40s} {times[name]:8.1f} ms", flush=True)

    # The complaint figures (no target in the issue): every figure of the last 90 days.
    in_window = Case.objects.filter(opened_at__gte=timezone.now() - dt.timedelta(days=90)).count()
    figures_ms = median_ms(lambda: admin.get("/cases/figures/"), args.rounds)
    print(f"  complaint figures ({in_window:,} cases)  {figures_ms:8.1f} ms", flush=True)

    # A routine evaluation: as the scheduler runs it, every minute.
    sla.evaluate()
    start = time.perf_counter()
    routine_counts = sla.evaluate()
    routine_s = time.perf_counter() - start
    print(f"== routine SLA evaluation: {routine_s * 1000:.0f} ms {routine_counts}", flush=True)
    # The worst: every open case's moments passed at once (a calendar edited, a long outage).
    later = timezone.now() + dt.timedelta(days=400)
    Notification.objects.all().delete()
    Case.objects.update(response_level=0, resolution_level=0)
    Case.objects.open().update(sla_next_at=sla.next_moment_sql())
    with connection.cursor() as cursor:  # as autovacuum would have (it is off here)
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE cases_notification")
    start = time.perf_counter()
    worst_counts = sla.evaluate(later)
    worst_s = time.perf_counter() - start
    notes = Notification.objects.count()
    print(f"== all open cases due at once: {worst_s:.1f} s, {notes:,} notifications", flush=True)

    lines = [
        f"# Cases at {total:,} cases ({open_now:,} open), PostgreSQL, {dt.date.today()}",
        "",
        f"Command: `.venv/bin/python bench/cases.py --cases {args.cases} --open {args.open}`",
        "",
        f"- Machine: {describe()}",
        f"- Database: {', '.join(settings_text)}; VACUUM ANALYZE after the bulk writes (as "
        "autovacuum would)",
        "- Data: `manyi demo_data --responses 2000` (customers, teams, logins), then the cases "
        "in SQL; open cases' SLA moments computed by `cases.sla.start`",
        f"- Anchor: /healthz {anchor:.2f} ms; medians of {args.rounds} after a warm-up",
        "",
        "| page | p50 ms | ≤ 200 ms |",
        "|---|---:|---|",
        *(
            f"| {name} | {ms:.1f} | {'ok' if ms <= 200 else 'MISSED'} |"
            for name, ms in times.items()
        ),
        "",
        f"- Complaint figures page, last 90 days ({in_window:,} cases opened in them, every "
        f"figure of /cases/figures/ including the recovery loyalty): {figures_ms:.0f} ms",
        f"- Routine SLA evaluation (a minute after the previous one): {routine_s * 1000:.0f} ms "
        f"({', '.join(f'{k} {v}' for k, v in routine_counts.items()) or 'nothing due'})",
        f"- SLA evaluation with all {open_now:,} open cases due at once (each raised to the "
        f"highest level passed, {notes:,} notifications written): {worst_s:.1f} s "
        f"({'ok' if worst_s <= 10 else 'MISSED'}, ≤ 10 s); moved: "
        f"{', '.join(f'{k} {v:,}' for k, v in worst_counts.items())}",
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"cases-{dt.date.today().isoformat()}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
