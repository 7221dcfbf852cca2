"""Dashboards at scale (issue 16): every dashboard page timed on PostgreSQL with the demo data
at a chosen size, against DuckDB doing the same aggregation over the same rows in the same
run; plus the count tables' rebuild and fill, and the live tail.

    .venv/bin/python bench/dashboards.py                         # 120,000 responses
    .venv/bin/python bench/dashboards.py --responses 600000      # more answers

The demo generator gave 204,650 answers for 120,000 responses on 2026-12-05 (many responses
are short or invalid); the results file is named after the answers actually built.

1. Creates the database `--database` (dropped first) on `--postgres`, migrates it and builds the
   demo data with `manyi demo_data --responses N`.
2. Times `manyi rebuild_counts` (seconds, peak memory of the process), then ANALYZE.
3. Times every dashboard page (overview, items, each breakdown, behaviour, loyalty, benchmarks,
   the survey report) in-process with DEBUG off, logged in as admin: the median of `--rounds`
   (default 5) after one warm-up.
4. DuckDB: copies the answers joined to their responses and customers (the rows the pages read)
   into an in-memory DuckDB table with PostgreSQL's COPY, then times the same aggregations the
   overview, items and segment pages show (median of the same rounds).
5. Live tail: copies the latest 10,000 responses with their answers as new responses submitted
   now (after the count tables' watermark), times the pages again, then times `counts.fill()`
   for them.
Writes bench/results/dashboards-<answers>-<date>.md with the machine and the PostgreSQL
settings. Prints the targets of issue 16 with ok / MISSED; it does not fail on a miss (the
numbers are the point).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from machine import describe  # bench/machine.py, beside this script

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


def median_ms(fn, rounds: int) -> float:
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_times(client, survey_id: int, rounds: int) -> dict[str, float]:
    times = {}
    for name, url in [*PAGES, ("report", f"/reports/surveys/{survey_id}/")]:
        times[name] = median_ms(lambda url=url: client.get(url), rounds)
        print(f"  {name:12s} {times[name]:9.1f} ms", flush=True)
    return times


DUCK_ROWS = """
COPY (
  SELECT a.response_id, r.survey_id, r.submitted_at, q.code, q.type, q.scale_max,
         COALESCE(d.code, '') AS item, a.role, a.number, c.segment_id
  FROM surveys_answer a
  JOIN surveys_response r ON r.id = a.response_id
  JOIN surveys_question q ON q.id = a.question_id
  LEFT JOIN surveys_dimension d ON d.id = a.dimension_id
  LEFT JOIN customers_customer c ON c.id = r.customer_id
  WHERE r.status = 'submitted' AND r.is_valid AND a.number IS NOT NULL
) TO STDOUT WITH (FORMAT csv, HEADER true)
"""
DUCK_QUERIES = {
    # overview: CSAT top-2 share, NPS parts, CES mean over the period
    "overview": """
      SELECT
        sum(CASE WHEN type='csat' AND item='' AND number >= scale_max - 1 THEN 1 ELSE 0 END)
          / nullif(sum(CASE WHEN type='csat' AND item='' THEN 1 ELSE 0 END), 0) AS csat,
        sum(CASE WHEN type='nps' AND number >= 9 THEN 1 ELSE 0 END) AS promoters,
        sum(CASE WHEN type='nps' AND number <= 6 THEN 1 ELSE 0 END) AS detractors,
        sum(CASE WHEN type='nps' THEN 1 ELSE 0 END) AS nps_n,
        avg(CASE WHEN type='ces' THEN number END) AS ces
      FROM answers WHERE submitted_at >= ? AND submitted_at < ?""",
    # items: per evaluated item, mean score as % of the scale and n
    "items": """
      SELECT item, avg(number / scale_max) * 100 AS s, count(*) AS n
      FROM answers WHERE item <> '' AND role = 'value' AND submitted_at >= ? AND submitted_at < ?
      GROUP BY item""",
    # segments: CSAT top-2 share per segment
    "segments": """
      SELECT segment_id,
        sum(CASE WHEN number >= scale_max - 1 THEN 1 ELSE 0 END) / count(*) AS csat, count(*)
      FROM answers WHERE type='csat' AND item='' AND submitted_at >= ? AND submitted_at < ?
      GROUP BY segment_id""",
}


def duckdb_times(connection, since, until, rounds: int) -> tuple[dict[str, float], int]:
    import duckdb

    buffer = io.BytesIO()
    with connection.cursor() as cursor, cursor.copy(DUCK_ROWS) as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    path = Path("/tmp/manyi-bench-answers.csv")
    path.write_bytes(buffer.getvalue())
    duck = duckdb.connect()
    duck.execute(f"CREATE TABLE answers AS SELECT * FROM read_csv_auto('{path}')")
    rows = duck.execute("SELECT count(*) FROM answers").fetchone()[0]
    path.unlink()
    times = {
        name: median_ms(lambda sql=sql: duck.execute(sql, [since, until]).fetchall(), rounds)
        for name, sql in DUCK_QUERIES.items()
    }
    return times, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=120_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="manyi_bench_dashboards")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tail", type=int, default=10_000)
    args = parser.parse_args()

    url = f"{args.postgres}/{args.database}"
    subprocess.run(["psql", f"{args.postgres}/postgres", "-qc",
                    f'DROP DATABASE IF EXISTS "{args.database}"'], check=True)  # fmt: skip
    subprocess.run(["psql", f"{args.postgres}/postgres", "-qc",
                    f'CREATE DATABASE "{args.database}"'], check=True)  # fmt: skip
    env = {**os.environ, "DATABASE_URL": url, "MANYI_DEBUG": "false", "MANYI_DB_POOL": "false"}
    manyi = [sys.executable, "-m", "manyi"]
    print(f"== building the demo data with {args.responses:,} responses", flush=True)
    subprocess.run([*manyi, "migrate", "-v0", "--noinput"], env=env, check=True, cwd=ROOT)
    build_s, _mb = run([*manyi, "demo_data", "--responses", str(args.responses)], env)
    print(f"   built in {build_s:.0f} s", flush=True)
    rebuild_s, rebuild_mb = run([*manyi, "rebuild_counts"], env)
    print(f"== rebuild_counts: {rebuild_s:.1f} s, peak {rebuild_mb:.0f} MB", flush=True)

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "manyi.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from manyi.accounts.models import User
    from manyi.analytics import counts
    from manyi.analytics.periods import default_period
    from manyi.surveys.models import Answer, Response, Survey

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM surveys_answer")
        answers = cursor.fetchone()[0]
        settings_text = []
        for name in ("shared_buffers", "work_mem", "autovacuum", "server_version"):
            cursor.execute(f"SHOW {name}")
            settings_text.append(f"{name}={cursor.fetchone()[0]}")
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    survey_id = Survey.objects.order_by("pk").values_list("pk", flat=True).first()
    anchor = median_ms(lambda: client.get("/healthz"), args.rounds)
    print(f"== {answers:,} answers; pages (anchor /healthz {anchor:.2f} ms)", flush=True)
    pages = page_times(client, survey_id, args.rounds)

    since, until = default_period(timezone.localdate())
    start, end = (
        timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        for day in (since, until + dt.timedelta(days=1))
    )
    print("== DuckDB, same aggregations over the same rows", flush=True)
    duck, duck_rows = duckdb_times(connection, start, end, args.rounds)
    for name, ms in duck.items():
        print(f"  {name:12s} {ms:9.2f} ms  (manyi {pages[name] / ms:,.0f}×)", flush=True)

    print(f"== live tail: {args.tail:,} responses submitted now", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE tail_map AS
            SELECT id AS old_id, nextval(pg_get_serial_sequence('surveys_response', 'id')) AS new_id
            FROM surveys_response WHERE status = 'submitted' ORDER BY submitted_at DESC LIMIT %s
            """,
            [args.tail],
        )
        override = {
            "invitation_id": "NULL",  # an invitation answers once: the copies are uninvited
            "started_at": "now()",
            "last_saved_at": "now()",
            "submitted_at": "now()",
            "resume_key": "md5(random()::text)",  # unique per response
        }
        response_columns = [f.column for f in Response._meta.concrete_fields if f.column != "id"]
        cursor.execute(
            f"""INSERT INTO surveys_response (id, {", ".join(response_columns)})
            SELECT m.new_id, {", ".join(override.get(c, "r." + c) for c in response_columns)}
            FROM surveys_response r JOIN tail_map m ON m.old_id = r.id"""
        )
        columns = [
            f.column for f in Answer._meta.concrete_fields if f.column not in ("id", "response_id")
        ]
        listed = ", ".join(columns)
        cursor.execute(
            f"""INSERT INTO surveys_answer (response_id, {listed})
            SELECT m.new_id, {", ".join("a." + c for c in columns)}
            FROM surveys_answer a JOIN tail_map m ON m.old_id = a.response_id"""
        )
        cursor.execute("ANALYZE surveys_response; ANALYZE surveys_answer")
    print("  pages with the tail unfilled:", flush=True)
    tail_pages = page_times(client, survey_id, args.rounds)
    fill_start = time.perf_counter()
    counts.fill(timezone.now() + counts.LAG + dt.timedelta(seconds=1))
    fill_s = time.perf_counter() - fill_start
    print(f"== fill of {args.tail:,} responses: {fill_s:.2f} s", flush=True)

    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    lines = [
        f"# Dashboards at {answers:,} answers, PostgreSQL, {dt.date.today().isoformat()}",
        "",
        f"Command: `.venv/bin/python bench/dashboards.py --responses {args.responses}`",
        "",
        f"- Machine: {describe()}",
        f"- PostgreSQL: {', '.join(settings_text)}; ANALYZE after the build",
        f"- Data: `manyi demo_data --responses {args.responses}` (built in {build_s:.0f} s);"
        f" DuckDB table: {duck_rows:,} answer rows (valid, numeric)",
        f"- Anchor: /healthz {anchor:.2f} ms; medians of {args.rounds} after a warm-up",
        "",
        "| page | p50 ms | ≤ 300 ms | DuckDB ms | ratio (≤ 2×) | with tail ms | +tail ms (≤ 100) |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for name, ms in pages.items():
        d = duck.get(name)
        extra = tail_pages[name] - ms
        lines.append(
            f"| {name} | {ms:.1f} | {verdict(ms <= 300)} | {'' if d is None else f'{d:.2f}'} |"
            f" {'' if d is None else f'{ms / d:,.0f}× {verdict(ms <= 2 * d)}'} |"
            f" {tail_pages[name]:.1f} | {extra:+.1f} {verdict(extra <= 100)} |"
        )
    lines += [
        "",
        f"- rebuild_counts: {rebuild_s:.1f} s, peak {rebuild_mb:.0f} MB"
        f" (target at 10M: ≤ 60 s, ≤ 1 GB)",
        f"- fill of {args.tail:,} new responses: {fill_s:.2f} s ({verdict(fill_s <= 1)}, ≤ 1 s)",
    ]
    report = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"dashboards-{answers // 1000}k-{dt.date.today().isoformat()}.md"
    out.write_text(report)
    print()
    print(report)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
