"""Server time of every staff page on the demo data, p50 and p95, against an anchor.

    .venv/bin/python bench/page_timing.py                       # SQLite demo in var/
    .venv/bin/python bench/page_timing.py --database-url postgres://postgres@127.0.0.1:5432/manyi_bench_pages

Builds the README's demo data set (2,000 customers, 3,000 responses; `manyi demo_data
--if-empty`) in the chosen database (a throwaway data directory for SQLite unless
`--data-dir`), then times, logged in as the demo admin, every staff page the project has
(core/staff_pages.py discovers them from the URL patterns and fills in real objects) with
DEBUG off, through Django's full request handling in this process (middleware, views,
templates, queries; no network). Each page is fetched once to warm up, then `--rounds` times.
Anchor: /healthz (one `SELECT 1`), timed the same way in the same run. Prints a table and
writes bench/results/page_timing-<engine>-<date>.md with a description of the machine.
Exits non-zero when a page's p50 is above `--target` ms (default 300).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe  # bench/machine.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def database_description() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (file in the data directory)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        settings = []
        for name in ("shared_buffers", "work_mem", "autovacuum", "max_connections"):
            cursor.execute(f"SHOW {name}")
            settings.append(f"{name}={cursor.fetchone()[0]}")
    return f"{version} ({', '.join(settings)})"


def timed(client, url: str, rounds: int) -> list[float]:
    response = client.get(url)  # warm-up: caches, first connection
    if response.status_code >= 400 and response.status_code != 409:
        raise SystemExit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed requests per page")
    parser.add_argument("--target", type=float, default=300.0, help="p50 limit per page, ms")
    parser.add_argument("--database-url", default="", help="default: SQLite in the data dir")
    parser.add_argument("--data-dir", default="", help="default: a new temporary directory")
    parser.add_argument("--only", default="", help="time only pages whose name contains this")
    args = parser.parse_args()

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="manyi-bench-pages-")
    env = {**os.environ, "MANYI_DATA_DIR": data_dir, "MANYI_DEBUG": "false"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
    if args.database_url.startswith("postgres"):
        name = args.database_url.rsplit("/", 1)[1]
        server = args.database_url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(
            ["psql", server, "-qc", f'CREATE DATABASE "{name}"'],
            capture_output=True,
            check=False,
        )
    manyi = [sys.executable, "-m", "manyi"]
    print("== preparing the demo data (first run: a few minutes)", flush=True)
    subprocess.run([*manyi, "migrate", "-v0", "--noinput"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manyi, "demo_data", "--if-empty"], env=env, check=True, cwd=ROOT)

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "manyi.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from manyi.accounts.models import User
    from manyi.core.staff_pages import staff_pages

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    assert not settings.DEBUG
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    anchor = timed(client, "/healthz", args.rounds)
    anchor_p50 = statistics.median(anchor)
    rows = []
    for name, url in staff_pages():
        if args.only and args.only not in name:
            continue
        times = timed(client, url, args.rounds)
        rows.append((name, url, statistics.median(times), p95(times)))
        print(f"{name:40s} p50 {rows[-1][2]:7.1f} ms  p95 {rows[-1][3]:7.1f} ms", flush=True)

    slow = [row for row in rows if row[2] > args.target]
    engine = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
    today = dt.date.today().isoformat()
    lines = [
        f"# Page timing on the demo data, {engine}, {today}",
        "",
        f"Command: `.venv/bin/python bench/page_timing.py"
        f"{' --database-url ' + args.database_url if args.database_url else ''}"
        f" --rounds {args.rounds}`",
        "",
        f"- Machine: {describe()}",
        f"- Database: {database_description()}",
        "- Data: `manyi demo_data` (2,000 customers, 10,000 purchases, 5,000 interactions,"
        " 3,000 responses), logged in as admin (sees everything), DEBUG off, in-process"
        " (Django's full request handling, no network)",
        f"- Anchor: /healthz p50 {anchor_p50:.2f} ms (p95 {p95(anchor):.2f} ms)",
        f"- Pages: {len(rows)}; over {args.target:.0f} ms p50: {len(slow)}",
        "",
        "| page | URL | p50 ms | p95 ms | p50 / anchor |",
        "|---|---|---:|---:|---:|",
    ]
    for name, url, median, high in sorted(rows, key=lambda row: -row[2]):
        lines.append(
            f"| {name} | `{url}` | {median:.1f} | {high:.1f} | {median / anchor_p50:.0f}× |"
        )
    report = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"page_timing-{engine}-{today}.md"
    if not args.only:
        out.write_text(report)
    print()
    print(report)
    print(f"written to {out}" if not args.only else "(--only: nothing written)")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
