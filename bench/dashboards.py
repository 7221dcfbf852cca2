"""Dashboards at scale (issue 16): every dashboard page timed on PostgreSQL (or SQLite) with
the demo data grown to a chosen number of answers, against DuckDB doing the same
aggregations over the same rows in the same run; plus the rollups' rebuild and fill, the
live tail, the answer-level analyses and the rollups' size.

    .venv/bin/python bench/dashboards.py --answers 1000000
    .venv/bin/python bench/dashboards.py --answers 10000000
    .venv/bin/python bench/dashboards.py --answers 1000000 --engine sqlite

1. Creates the database (`--database` on `--postgres`, dropped first; or a SQLite file),
   migrates it and builds the demo data with `manyi demo_data --responses N` (`--base`).
   The demo generator gives about 1.7 answers per unit of --responses (many invitations go
   unanswered, many responses are short), so it is then grown to `--answers` by copying its
   submitted responses with their answers in SQL (same days, customers and cuts; copies are
   uninvited, as the invitation answers once). `--reuse` keeps a database built before.
2. Times `manyi rebuild_counts` (seconds, peak memory of the process), then ANALYZE.
3. Times every dashboard page (overview, items, each breakdown, behaviour, loyalty,
   benchmarks, the survey report) in-process with DEBUG off, logged in as admin: the median
   of `--rounds` (default 5) after one warm-up; and, for overview, items and segments, the
   figures the page computes without rendering it (`figures.change` + `trend` +
   `response_totals`; `item_analysis`; `breakdown`).
4. DuckDB: copies the answers joined to their responses and questions (the rows the pages
   read) into an in-memory DuckDB table, then times the same aggregations (median of the
   same rounds): overview = the headline now and in the previous period plus the monthly
   trend; items = item means and n; segments = CSAT per segment.
5. The answer-level analyses (derived importance, loyalty) alone.
6. Live tail: copies the latest `--tail` responses with their answers as responses
   submitted now (after the watermark), times the pages again, then times `counts.fill()`.
Writes bench/results/dashboards-<engine>-<answers>-<date>.md with the machine and the
database settings. Prints the targets of issue 16 with ok / MISSED; it does not fail on a
miss (the numbers are the point).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from machine import describe, median_ms  # bench/machine.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PAGES = [
    ("overview", "/analytics/"),
    ("items", "/analytics/items/"),
    ("segments", "/analytics/segments/"),
    ("teams", "/analytics/teams/"),
    ("region", "/analytics/by/region/"),
    ("channel", "/analytics/by/channel/"),
    ("survey", "/analytics/by/survey/"),
    ("product", "/analytics/by/product/"),
    ("staff", "/analytics/by/staff/"),
    ("behaviour", "/analytics/behaviour/"),
    ("loyalty", "/analytics/behaviour/loyalty/"),
    ("benchmarks", "/benchmarks/"),
]


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    """Run a command; (seconds, peak memory of that child in MB)."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return time.perf_counter() - start, max(after, before) / 1024


def page_times(client, survey_id: int, rounds: int) -> dict[str, float]:
    times = {}
    for name, url in [*PAGES, ("report", f"/reports/surveys/{survey_id}/")]:
        times[name] = median_ms(lambda url=url: client.get(url), rounds)
        print(f"  {name:12s} {times[name]:9.1f} ms", flush=True)
    return times


ROWS = """
  SELECT a.response_id, r.survey_id, r.submitted_at, q.code, q.type, q.scale_max,
         COALESCE(d.code, '') AS item, a.role, a.number, c.segment_id
  FROM surveys_answer a
  JOIN surveys_response r ON r.id = a.response_id
  JOIN surveys_question q ON q.id = a.question_id
  LEFT JOIN surveys_dimension d ON d.id = a.dimension_id
  LEFT JOIN customers_customer c ON c.id = r.customer_id
  WHERE r.status = 'submitted' AND r.is_valid AND a.number IS NOT NULL
"""
HEADLINE = """
  SELECT
    sum(CASE WHEN type='csat' AND item='' AND number >= scale_max - 1 THEN 1 ELSE 0 END)
      / nullif(sum(CASE WHEN type='csat' AND item='' THEN 1 ELSE 0 END), 0) AS csat,
    avg(CASE WHEN type='csat' AND item='' AND scale_max = 5 THEN number END) AS csat_mean,
    sum(CASE WHEN type='nps' AND number >= 9 THEN 1 ELSE 0 END) AS promoters,
    sum(CASE WHEN type='nps' AND number <= 6 THEN 1 ELSE 0 END) AS detractors,
    sum(CASE WHEN type='nps' THEN 1 ELSE 0 END) AS nps_n,
    avg(CASE WHEN type='ces' THEN number END) AS ces,
    avg(CASE WHEN item <> '' AND role = 'value' THEN number * 100.0 / scale_max END) AS items
  FROM answers WHERE submitted_at >= ? AND submitted_at < ?"""
DUCK_QUERIES = {
    # overview: the headline now and in the previous period, and the monthly trend
    "overview": [
        HEADLINE,
        HEADLINE.replace("submitted_at >= ? AND submitted_at < ?",
                         "submitted_at >= ? - (? - ?) AND submitted_at < ?"),
        """
      SELECT date_trunc('month', submitted_at) AS month,
        sum(CASE WHEN type='csat' AND item='' AND number >= scale_max - 1 THEN 1 ELSE 0 END),
        sum(CASE WHEN type='csat' AND item='' THEN 1 ELSE 0 END),
        sum(CASE WHEN type='nps' AND number >= 9 THEN 1 ELSE 0 END)
          - sum(CASE WHEN type='nps' AND number <= 6 THEN 1 ELSE 0 END),
        sum(CASE WHEN type='nps' THEN 1 ELSE 0 END),
        avg(CASE WHEN type='ces' THEN number END),
        avg(CASE WHEN item <> '' AND role = 'value' THEN number * 100.0 / scale_max END)
      FROM answers WHERE submitted_at >= ? AND submitted_at < ? GROUP BY 1""",
    ],
    # items: per evaluated item, mean score as % of the scale and n
    "items": ["""
      SELECT item, avg(number * 100.0 / scale_max) AS s, count(*) AS n
      FROM answers WHERE item <> '' AND role = 'value' AND submitted_at >= ? AND submitted_at < ?
      GROUP BY item"""],
    # segments: per segment, CSAT top-2 share, NPS parts and the items' mean score
    "segments": ["""
      SELECT segment_id,
        sum(CASE WHEN type='csat' AND item='' AND number >= scale_max - 1 THEN 1 ELSE 0 END)
          / nullif(sum(CASE WHEN type='csat' AND item='' THEN 1 ELSE 0 END), 0) AS csat,
        sum(CASE WHEN type='nps' AND number >= 9 THEN 1 ELSE 0 END) AS promoters,
        sum(CASE WHEN type='nps' AND number <= 6 THEN 1 ELSE 0 END) AS detractors,
        sum(CASE WHEN type='nps' THEN 1 ELSE 0 END) AS nps_n,
        avg(CASE WHEN item <> '' AND role = 'value' THEN number * 100.0 / scale_max END) AS items
      FROM answers WHERE submitted_at >= ? AND submitted_at < ?
      GROUP BY segment_id"""],
}  # fmt: skip


def _duck_params(sql: str, start, end) -> list:
    if "? - (? - ?)" in sql:
        return [start, end, start, start]
    return [start, end]


def duckdb_times(connection, start, end, rounds: int) -> tuple[dict[str, float], int]:
    """The aggregations in DuckDB over the same rows, copied out of the database."""
    import csv

    import duckdb

    path = Path("/tmp/manyi-bench-answers.csv")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                path.open("wb") as out,
                cursor.copy(f"COPY ({ROWS}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
        else:
            cursor.execute(ROWS.replace("r.is_valid", "r.is_valid = 1"))
            with path.open("w", newline="") as out:
                writer = csv.writer(out)
                writer.writerow([c[0] for c in cursor.description])
                while rows := cursor.fetchmany(50_000):
                    writer.writerows(rows)
    duck = duckdb.connect()
    duck.execute(
        # Empty texts come back from CSV as NULL: the item of a plain question is "".
        f"CREATE TABLE answers AS SELECT * REPLACE (CAST(submitted_at AS TIMESTAMPTZ) "
        f"AS submitted_at, COALESCE(item, '') AS item) FROM read_csv_auto('{path}')"
    )
    rows = duck.execute("SELECT count(*) FROM answers").fetchone()[0]
    path.unlink()

    def query(statements):
        for statement in statements:
            duck.execute(statement, _duck_params(statement, start, end)).fetchall()

    times = {
        name: median_ms(lambda s=statements: query(s), rounds)
        for name, statements in DUCK_QUERIES.items()
    }
    return times, rows


def items_without_derived(figures, filters):
    from unittest import mock

    with mock.patch.object(figures, "_derived_importance", lambda *a: ({}, None, 0, False)):
        return figures.item_analysis(filters, language="zh-hans")


def scale_up(connection, answers_wanted: int) -> int:
    """Copy submitted responses with their answers until the answers reach the number asked
    for; returns the answers there are."""
    from manyi.surveys.models import Answer, Response

    postgres = connection.vendor == "postgresql"
    response_columns = [f.column for f in Response._meta.concrete_fields if f.column != "id"]
    answer_columns = [
        f.column for f in Answer._meta.concrete_fields if f.column not in ("id", "response_id")
    ]
    key = "md5(random()::text || m.new_id)" if postgres else "lower(hex(randomblob(16)))"
    override = {"invitation_id": "NULL", "resume_key": key}
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM surveys_response")
        originals = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM surveys_answer a JOIN surveys_response r "
            "ON r.id = a.response_id WHERE r.status = 'submitted'"
        )
        per_copy = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM surveys_answer")
        have = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM surveys_response WHERE status = 'submitted' AND id <= %s",
            [originals],
        )
        responses = cursor.fetchone()[0]
        while have < answers_wanted:
            share = min(1.0, (answers_wanted - have) / per_copy)
            limit = max(1, round(responses * share))
            cursor.execute("DROP TABLE IF EXISTS scale_map")
            cursor.execute("SELECT max(id) FROM surveys_response")
            top = cursor.fetchone()[0]
            cursor.execute(
                "CREATE TEMPORARY TABLE scale_map AS SELECT id AS old_id, "
                "%s + row_number() OVER (ORDER BY id) AS new_id FROM surveys_response "
                "WHERE status = 'submitted' AND id <= %s ORDER BY id LIMIT %s",
                [top, originals, limit],
            )
            cursor.execute(
                f"INSERT INTO surveys_response (id, {', '.join(response_columns)}) "
                f"SELECT m.new_id, "
                f"{', '.join(override.get(c, 'r.' + c) for c in response_columns)} "
                f"FROM surveys_response r JOIN scale_map m ON m.old_id = r.id"
            )
            cursor.execute(
                f"INSERT INTO surveys_answer (response_id, {', '.join(answer_columns)}) "
                f"SELECT m.new_id, {', '.join('a.' + c for c in answer_columns)} "
                f"FROM surveys_answer a JOIN scale_map m ON m.old_id = a.response_id"
            )
            cursor.execute("SELECT count(*) FROM surveys_answer")
            have = cursor.fetchone()[0]
            print(f"   {have:,} answers", flush=True)
        if postgres:
            for table in ("surveys_response", "surveys_answer"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        cursor.execute("ANALYZE")
    return have


def add_tail(connection, size: int, *, analyze: bool = True) -> None:
    """Copy the latest `size` submitted responses, with their answers, as submitted now."""
    from manyi.surveys.models import Answer, Response

    postgres = connection.vendor == "postgresql"
    now = "now()" if postgres else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    key = "md5(random()::text || m.new_id)" if postgres else "lower(hex(randomblob(16)))"
    override = {
        "invitation_id": "NULL",  # an invitation answers once: the copies are uninvited
        "started_at": now,
        "last_saved_at": now,
        "submitted_at": now,
        "resume_key": key,
    }
    response_columns = [f.column for f in Response._meta.concrete_fields if f.column != "id"]
    answer_columns = [
        f.column for f in Answer._meta.concrete_fields if f.column not in ("id", "response_id")
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM surveys_response")
        top = cursor.fetchone()[0]
        cursor.execute("DROP TABLE IF EXISTS tail_map")
        # Responses of the last 90 days in a fixed pseudo-random order: as varied as real new
        # ones (the latest ones of a grown database are copies of a few).
        cursor.execute("SELECT max(submitted_at) FROM surveys_response")
        latest = cursor.fetchone()[0]
        if isinstance(latest, str):
            latest = dt.datetime.fromisoformat(latest)
        cursor.execute(
            "CREATE TEMPORARY TABLE tail_map AS SELECT old_id, %s + row_number() OVER "
            "(ORDER BY old_id) AS new_id FROM (SELECT id AS old_id FROM surveys_response "
            "WHERE status = 'submitted' AND submitted_at > %s "
            "ORDER BY (id * 7919) %% 10007, id LIMIT %s) AS varied",
            [top, connection.ops.adapt_datetimefield_value(latest - dt.timedelta(days=90)), size],
        )
        cursor.execute(
            f"INSERT INTO surveys_response (id, {', '.join(response_columns)}) "
            f"SELECT m.new_id, {', '.join(override.get(c, 'r.' + c) for c in response_columns)} "
            f"FROM surveys_response r JOIN tail_map m ON m.old_id = r.id"
        )
        cursor.execute(
            f"INSERT INTO surveys_answer (response_id, {', '.join(answer_columns)}) "
            f"SELECT m.new_id, {', '.join('a.' + c for c in answer_columns)} "
            f"FROM surveys_answer a JOIN tail_map m ON m.old_id = a.response_id"
        )
        if postgres:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('surveys_response', 'id'), "
                "(SELECT max(id) FROM surveys_response))"
            )
        if analyze:
            cursor.execute("ANALYZE")


def rollup_sizes(connection) -> list[tuple[str, str, str, int]]:
    rows = []
    with connection.cursor() as cursor:
        for table in ("analytics_answerrollup", "analytics_pairrollup", "analytics_responserollup"):
            cursor.execute(
                f"SELECT cut, grain, count(*) FROM {table} GROUP BY cut, grain ORDER BY cut, grain"
            )
            rows += [(table.removeprefix("analytics_"), *row) for row in cursor.fetchall()]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=120_000, help="demo_data --responses")
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="manyi_bench_dashboards")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tail", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database built before")
    args = parser.parse_args()

    if args.engine == "postgresql":
        url = f"{args.postgres}/{args.database}"
    else:
        url = f"sqlite:////tmp/{args.database}.sqlite3"
    env = {**os.environ, "DATABASE_URL": url, "MANYI_DEBUG": "false", "MANYI_DB_POOL": "false"}
    manyi = [sys.executable, "-m", "manyi"]
    build_s = None
    if not args.reuse:
        if args.engine == "postgresql":
            for statement in (f'DROP DATABASE IF EXISTS "{args.database}"',
                              f'CREATE DATABASE "{args.database}"'):  # fmt: skip
                subprocess.run(["psql", f"{args.postgres}/postgres", "-qc", statement], check=True)
        else:
            Path(f"/tmp/{args.database}.sqlite3").unlink(missing_ok=True)
        print(f"== building the demo data with --responses {args.base:,}", flush=True)
        subprocess.run([*manyi, "migrate", "-v0", "--noinput"], env=env, check=True, cwd=ROOT)
        build_s, _mb = run([*manyi, "demo_data", "--responses", str(args.base)], env)
        print(f"   built in {build_s:.0f} s", flush=True)

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "manyi.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from manyi.accounts.models import User
    from manyi.analytics import counts, figures, loyalty
    from manyi.analytics.periods import default_period
    from manyi.analytics.queries import Filters, catalogue, response_totals
    from manyi.surveys.models import Survey

    grow_start = time.perf_counter()
    answers = scale_up(connection, args.answers)
    grow_s = time.perf_counter() - grow_start
    connection.close()
    rebuild_s, rebuild_mb = run([*manyi, "rebuild_counts"], env)
    print(f"== rebuild_counts: {rebuild_s:.1f} s, peak {rebuild_mb:.0f} MB", flush=True)
    # Nothing after the watermark before the pages are timed (a reused database may hold
    # the tail of an earlier run, less than the fill's lag old).
    counts.fill(timezone.now() + counts.LAG + dt.timedelta(seconds=1))

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    settings_text = []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            for name in ("shared_buffers", "work_mem", "autovacuum", "server_version"):
                cursor.execute(f"SHOW {name}")
                settings_text.append(f"{name}={cursor.fetchone()[0]}")
        else:
            import sqlite3

            settings_text.append(f"SQLite {sqlite3.sqlite_version}, file /tmp/{args.database}")
    sizes = rollup_sizes(connection)
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    survey_id = Survey.objects.order_by("pk").values_list("pk", flat=True).first()
    anchor = median_ms(lambda: client.get("/healthz"), args.rounds)
    print(f"== {answers:,} answers; pages (anchor /healthz {anchor:.2f} ms)", flush=True)
    pages = page_times(client, survey_id, args.rounds)

    since, until = default_period(timezone.localdate())
    filters = Filters(since=since, until=until)
    layer = {
        "overview": median_ms(
            lambda: (
                figures.change(filters),
                figures.trend(filters, "month"),
                response_totals(filters),
            ),
            args.rounds,
        ),
        # Without derived importance: a regression on a sample of respondents, an
        # answer-level analysis timed apart below (DuckDB's query has no counterpart).
        "items": median_ms(lambda: items_without_derived(figures, filters), args.rounds),
        "segments": median_ms(lambda: figures.breakdown(filters, "segment"), args.rounds),
    }
    cat = catalogue()
    items = sorted(cat.item_csat) or ["price"]
    analyses = {
        "derived importance": median_ms(
            lambda: figures._derived_importance(filters, cat, items), args.rounds
        ),
        "loyalty": median_ms(lambda: loyalty.satisfaction_vs_loyalty(filters), args.rounds),
    }
    for name, ms in analyses.items():
        print(f"  {name:20s} {ms:9.1f} ms", flush=True)

    start, end = (
        timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        for day in (since, until + dt.timedelta(days=1))
    )
    print("== DuckDB, same aggregations over the same rows", flush=True)
    duck, duck_rows = duckdb_times(connection, start, end, args.rounds)
    for name, ms in duck.items():
        print(f"  {name:12s} {ms:9.2f} ms  figures {layer[name]:.1f} ms, page {pages[name]:.1f}",
              flush=True)  # fmt: skip

    print(f"== live tail: {args.tail:,} responses submitted now", flush=True)
    add_tail(connection, args.tail)
    print("  pages with the tail unfilled:", flush=True)
    from django.core.cache import cache

    cache.clear()  # the first request after the tail arrived reads it
    first_start = time.perf_counter()
    client.get("/analytics/")
    first_tail_ms = (time.perf_counter() - first_start) * 1000
    print(f"  overview, first request after the tail arrived: {first_tail_ms:.1f} ms", flush=True)
    tail_pages = page_times(client, survey_id, args.rounds)
    # Under steady traffic the tail changes between page views: one more response, then the
    # overview (the tail's rows cached before are extended by the new response's).
    steady = []
    for _ in range(args.rounds):
        add_tail(connection, 1, analyze=False)
        start = time.perf_counter()
        client.get("/analytics/")
        steady.append((time.perf_counter() - start) * 1000)
    steady_ms = statistics.median(steady)
    print(f"  overview after one more response (median of {args.rounds}): {steady_ms:.1f} ms",
          flush=True)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM surveys_response WHERE status = 'submitted' AND submitted_at > "
            "(SELECT filled_until FROM analytics_fillstate WHERE name = 'responses')"
        )
        tail_size = cursor.fetchone()[0]
    fill_start = time.perf_counter()
    counts.fill(timezone.now() + counts.LAG + dt.timedelta(seconds=1))
    fill_s = time.perf_counter() - fill_start
    print(f"== fill of {tail_size:,} responses: {fill_s:.2f} s", flush=True)

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    engine = "PostgreSQL" if args.engine == "postgresql" else "SQLite"
    command = f".venv/bin/python bench/dashboards.py --answers {args.answers}"
    if args.engine != "postgresql":
        command += f" --engine {args.engine}"
    built = f"built in {build_s:.0f} s, " if build_s is not None else ""
    lines = [
        f"# Dashboards at {answers:,} answers, {engine}, {dt.date.today().isoformat()}",
        "",
        f"Command: `{command}`",
        "",
        f"- Machine: {describe()}",
        f"- Database: {', '.join(settings_text)}; ANALYZE after every bulk write",
        f"- Data: `manyi demo_data --responses {args.base}` ({built}grown to {answers:,} "
        f"answers by copying its submitted responses in {grow_s:.0f} s); DuckDB table: "
        f"{duck_rows:,} answer rows (valid, numeric)",
        f"- Anchor: /healthz {anchor:.2f} ms; medians of {args.rounds} after a warm-up",
        "",
        f"| page | p50 ms | ≤ 300 ms | with {args.tail:,} in the tail ms | +tail ms (≤ 100) |",
        "|---|---:|---|---:|---:|",
    ]
    for name, ms in pages.items():
        extra = tail_pages[name] - ms
        lines.append(
            f"| {name} | {ms:.1f} | {verdict(ms <= 300)} | {tail_pages[name]:.1f} |"
            f" {extra:+.1f} {verdict(extra <= 100)} |"
        )
    lines += [
        "",
        "Against DuckDB over the same rows (the aggregations each page needs; `figures` is the",
        "same computation in manyi without rendering the page; for items, without derived",
        "importance, an answer-level analysis timed apart):",
        "",
        "| page | DuckDB ms | manyi figures ms | ratio (≤ 2×) | manyi page ms | page ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, ms in duck.items():
        lines.append(
            f"| {name} | {ms:.2f} | {layer[name]:.1f} | {layer[name] / ms:.2f}× "
            f"{verdict(layer[name] <= 2 * ms)} | {pages[name]:.1f} | {pages[name] / ms:.2f}× |"
        )
    lines += [
        "",
        "| answer-level analysis (a sample: the most recent valid responses) | ms | ≤ 1 s |",
        "|---|---:|---|",
        *(f"| {name} | {ms:.1f} | {verdict(ms <= 1000)} |" for name, ms in analyses.items()),
        "",
        f"- rebuild_counts: {rebuild_s:.1f} s, peak {rebuild_mb:.0f} MB of the process"
        f" (target at 10M: ≤ 60 s, ≤ 1 GB)",
        f"- fill of {tail_size:,} new responses: {fill_s:.2f} s ({verdict(fill_s <= 1)}, ≤ 1 s)",
        f"- the tail is read once and kept (`analytics/tail.py`): the overview's first request"
        f" after {args.tail:,} responses arrived took {first_tail_ms:.0f} ms; the table above"
        f" gives the requests after it. Under steady traffic, with one more response before"
        f" each view, the overview took {steady_ms:.0f} ms (median of {args.rounds}; +"
        f"{steady_ms - pages['overview']:.0f} ms against no tail: only the new response is"
        f" read and added to the rows kept)",
        "",
        "Rollup rows (answers per row: the compression):",
        "",
        "| rollup | cut | grain | rows | answers per row |",
        "|---|---|---|---:|---:|",
        *(
            f"| {table} | {cut or '(none)'} | {grain} | {n:,} | {answers / n:,.1f} |"
            for table, cut, grain, n in sizes
        ),
    ]
    report = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    label = f"{answers / 1e6:.0f}M" if answers >= 1e6 else f"{answers // 1000}k"
    out = RESULTS / f"dashboards-{args.engine}-{label}-{dt.date.today().isoformat()}.md"
    out.write_text(report)
    print()
    print(report)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
