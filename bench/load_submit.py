"""Load test: many respondents submit a survey at once, on PostgreSQL, under gunicorn.

    .venv/bin/python bench/load_submit.py            # 2,000 submissions from 50 clients

Creates a throwaway database, migrates it, opens a survey and invites N customers through the
project's services, starts gunicorn with production settings (DEBUG off) on a free port, and
lets C concurrent clients answer one invitation each time as a browser would: fetch the page,
read the CSRF token from the form, post the answers page by page, follow the redirects to the
thank-you page. Then it counts server errors, other failures, responses lost (acknowledged to
the respondent but not stored) and duplicated (more than one response for an invitation), and
the peak number of PostgreSQL connections. As an anchor it measures, in the same run and with
the same clients, the request rate of /healthz (one `SELECT 1`), so that the ratio can be
compared between machines. Writes bench/results/load_submit-<date>.md, stops gunicorn and drops
the database. Exits non-zero when anything was lost, duplicated or answered with a 5xx.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.cookiejar
import json
import os
import platform
import queue
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
THANKS = "Your answers have been submitted."


# Preparing the database (runs in a child process: Django configured for the bench database) ---


def prepare(count: int) -> None:
    """Open a survey and invite `count` customers through the services; print the tokens."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from manyi.accounts.choices import Role
    from manyi.accounts.models import User
    from manyi.customers.choices import ContactKind
    from manyi.customers.models import ContactPoint, Customer
    from manyi.surveys.models import Invitation
    from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
    from manyi.surveys.services.distribution import distribution_create

    call_command("migrate", verbosity=0, interactive=False)
    with transaction.atomic():
        analyst = User.objects.create_user(username="bench", password=None, role=Role.ANALYST)
        customers = Customer.objects.bulk_create(
            Customer(name=f"Bench {i}", language="en", consent_email=True) for i in range(count)
        )
        ContactPoint.objects.bulk_create(
            ContactPoint(
                customer=c, kind=ContactKind.EMAIL, value=f"c{c.pk}@bench.test", is_primary=True
            )
            for c in customers
        )
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="csat_purchase"))
    distribution = distribution_create(
        survey=survey,
        user=analyst,
        channel="email",
        customers=Customer.objects.all(),
        filters={},
        seed=1,
    )
    tokens = list(
        Invitation.objects.filter(distribution=distribution).values_list("token", flat=True)
    )
    print(json.dumps({"survey": survey.pk, "tokens": tokens}))


# A respondent's browser ----------------------------------------------------------------------


class FormReader(HTMLParser):
    """The fields of the page's form: hidden values, radio groups, check boxes, text."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.hidden: dict[str, str] = {}
        self.radios: dict[str, list[str]] = {}
        self.checkboxes: dict[str, list[str]] = {}
        self.texts: list[str] = []
        self.actions: list[str] = []
        self.found = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.in_form = self.found = True
        if not self.in_form or not a.get("name"):
            return
        name, kind = a["name"], (a.get("type") or "").lower()
        if tag == "input" and kind == "hidden":
            self.hidden[name] = a.get("value") or ""
        elif tag == "input" and kind == "radio":
            self.radios.setdefault(name, []).append(a.get("value") or "")
        elif tag == "input" and kind == "checkbox":
            self.checkboxes.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" or (tag == "input" and kind in ("", "text")):
            self.texts.append(name)
        elif tag == "button" and name == "action":
            self.actions.append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def _best(values: list[str]) -> str:
    """A satisfied respondent: the highest point of a scale, else the first option."""
    numbers = [v for v in values if v.lstrip("-").isdigit()]
    return max(numbers, key=int) if numbers else values[0]


def answers(form: FormReader) -> list[tuple[str, str]]:
    data = list(form.hidden.items())
    data += [(name, _best(values)) for name, values in form.radios.items()]
    data += [(name, values[0]) for name, values in form.checkboxes.items()]
    data += [(name, "Quick and friendly.") for name in form.texts]
    data.append(("action", "submit" if "submit" in form.actions else "next"))
    return data


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    ok: list[str] = field(default_factory=list)  # tokens acknowledged with the thank-you page
    server_errors: int = 0  # 5xx answers
    failures: Counter = field(default_factory=Counter)  # anything else that went wrong
    requests: int = 0

    def add(self, **changes):
        with self.lock:
            for key, value in changes.items():
                if key == "ok":
                    self.ok.append(value)
                elif key == "failure":
                    self.failures[value] += 1
                else:
                    setattr(self, key, getattr(self, key) + value)


def respond(base: str, token: str, tally: Tally) -> None:
    """One respondent: a fresh cookie jar, every page answered until the thank-you page."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    url, data = f"{base}/s/{token}/?lang=en", None
    # Each respondent is a different person on their own phone: their own address, as a
    # reverse proxy in front of the site reports it (the per-address rate limit stays on).
    digest = hashlib.sha256(token.encode()).digest()
    headers = {"X-Forwarded-For": f"10.{digest[0]}.{digest[1]}.{digest[2]}"}
    try:
        for _step in range(10):
            request = urllib.request.Request(url, data=data, headers=headers)
            with opener.open(request, timeout=60) as reply:
                page = reply.read().decode()
                url = reply.geturl()
            tally.add(requests=1 + (url != request.full_url))  # a redirect followed
            if THANKS in page:
                tally.add(ok=token)
                return
            form = FormReader()
            form.feed(page)
            if not form.found:
                tally.add(failure="page without a form")
                return
            data = urllib.parse.urlencode(answers(form)).encode()
        tally.add(failure="no thank-you page after 10 pages")
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            tally.add(server_errors=1)
        else:
            tally.add(failure=f"HTTP {error.code}")
    except (OSError, urllib.error.URLError) as error:
        tally.add(failure=type(getattr(error, "reason", error)).__name__)


def hammer(clients: int, jobs: list, work) -> float:
    """Run `work(job)` for every job from `clients` threads; the elapsed seconds."""
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)

    def client():
        while True:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            work(job)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def health(base: str, tally: Tally) -> None:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=60) as reply:
            reply.read()
        tally.add(ok="", requests=1)
    except urllib.error.HTTPError as error:
        tally.add(**({"server_errors": 1} if error.code >= 500 else {"failure": error.code}))
    except OSError as error:
        tally.add(failure=type(error).__name__)


# PostgreSQL ----------------------------------------------------------------------------------


class PeakConnections(threading.Thread):
    """Samples pg_stat_activity for the bench database every 20 ms."""

    def __init__(self, admin_url: str, database: str):
        super().__init__(daemon=True)
        self.admin_url, self.database = admin_url, database
        self.peak = 0
        self.stop = threading.Event()

    def run(self):
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            while not self.stop.wait(0.02):
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchone()
                self.peak = max(self.peak, count)


def pg_settings(admin_url: str) -> dict[str, str]:
    names = ["server_version", "max_connections", "shared_buffers", "work_mem", "autovacuum"]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return {n: conn.execute(f"SHOW {n}").fetchone()[0] for n in names}


def drop_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def stored(db_url: str, tokens: list[str]) -> tuple[Counter, int]:
    """Submitted responses per invitation token, and responses not tied to any invitation."""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            """SELECT i.token, count(r.id) FROM surveys_invitation i
               JOIN surveys_response r ON r.invitation_id = i.id
               WHERE r.status = 'submitted' GROUP BY i.token"""
        ).fetchall()
        (stray,) = conn.execute(
            "SELECT count(*) FROM surveys_response WHERE invitation_id IS NULL"
        ).fetchone()
    return Counter(dict(rows)), stray


# The machine ---------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": memory,
        "load average before the run": load,
        "OS": platform.platform(),
        "Python": platform.python_version(),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start-up:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


# The run -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument(
        "--pool-max",
        type=int,
        default=None,
        help="MANYI_DB_POOL_MAX per worker (default: as many as threads)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("MANYI_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="server to use, without a database name (a superuser: creates and drops one)",
    )
    parser.add_argument("--database", default="manyi_bench_load")
    parser.add_argument("--no-results-file", action="store_true")
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare is not None:
        prepare(args.prepare)
        return 0

    server_url = args.postgres.rstrip("/")
    admin_url, db_url = f"{server_url}/postgres", f"{server_url}/{args.database}"
    pool_max = args.pool_max or args.threads
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "manyi.settings.production",
        "MANYI_SECRET_KEY": secrets.token_urlsafe(64),
        "MANYI_ALLOWED_HOSTS": "127.0.0.1",
        "MANYI_DEBUG": "false",
        "MANYI_SSL_REDIRECT": "false",  # plain HTTP on the loopback: no TLS in front
        "MANYI_SECURE_COOKIES": "false",
        "MANYI_HSTS_SECONDS": "0",
        "MANYI_DB_POOL": "true",
        "MANYI_DB_POOL_MIN": "1",
        "MANYI_DB_POOL_MAX": str(pool_max),
        "MANYI_LOG_LEVEL": "WARNING",
        # As behind one reverse proxy: client addresses come from X-Forwarded-For.
        "MANYI_TRUSTED_PROXY_COUNT": "1",
        "PYTHONPATH": str(ROOT / "src"),
    }
    description = machine()
    postgres = pg_settings(admin_url)
    drop_database(admin_url, args.database)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{args.database}"')
    workdir = Path(tempfile.mkdtemp(prefix="manyi-bench-"))
    log = workdir / "gunicorn.log"
    server = None
    try:
        print(f"preparing {args.database}: migrate, {args.submissions} invitations ...")
        prepared = subprocess.run(
            [sys.executable, __file__, "--prepare", str(args.submissions)],
            env={**env, "MANYI_DATA_DIR": str(workdir)},
            capture_output=True,
            text=True,
            check=False,
        )
        if prepared.returncode:
            sys.exit(f"preparing the database failed:\n{prepared.stderr[-3000:]}")
        tokens = json.loads(prepared.stdout.strip().splitlines()[-1])["tokens"]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "manyi.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            f"--threads={args.threads}",
            "--worker-class=gthread",
            "--timeout=60",
            "--backlog=2048",
        ]
        with log.open("w") as out:
            server = subprocess.Popen(
                command,
                env={**env, "MANYI_DATA_DIR": str(workdir)},
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=workdir,
            )
        wait_until_up(base, server, log)
        print(
            f"gunicorn on {base}: {args.workers} workers x {args.threads} threads, "
            f"pool max {pool_max} per worker; {args.clients} clients ..."
        )

        peak = PeakConnections(admin_url, args.database)
        peak.start()
        submit = Tally()
        seconds = hammer(args.clients, tokens, lambda token: respond(base, token, submit))
        anchor = Tally()
        anchor_requests = max(2000, args.submissions)
        anchor_seconds = hammer(
            args.clients, range(anchor_requests), lambda _: health(base, anchor)
        )
        peak.stop.set()
        peak.join()

        per_token, stray = stored(db_url, tokens)
        acknowledged = set(submit.ok)
        lost = sum(1 for token in acknowledged if per_token[token] == 0)
        duplicated = sum(n - 1 for n in per_token.values() if n > 1) + stray
        figures = {
            "submissions": f"{len(acknowledged)} of {len(tokens)} acknowledged",
            "stored (submitted responses)": str(sum(per_token.values())),
            "submissions/s": f"{len(acknowledged) / seconds:.1f}",
            "requests/s while submitting": f"{submit.requests / seconds:.1f}",
            "server errors (5xx)": str(submit.server_errors + anchor.server_errors),
            "other failures": (
                ", ".join(f"{n} {kind}" for kind, n in submit.failures.items()) or "0"
            ),
            "lost": str(lost + (len(tokens) - len(acknowledged))),
            "duplicated": str(duplicated),
            "peak PostgreSQL connections": (
                f"{peak.peak} (bound: {args.workers} x {pool_max} = {args.workers * pool_max})"
            ),
            "anchor: /healthz requests/s": (
                f"{len(anchor.ok) / anchor_seconds:.1f} "
                f"({len(anchor.ok)} of {anchor_requests}, same clients)"
            ),
            "submissions/s per 1000 /healthz requests/s": (
                f"{1000 * len(acknowledged) / seconds / (len(anchor.ok) / anchor_seconds):.1f}"
            ),
        }
        report = render(args, description, postgres, figures, seconds)
        print(report)
        if not args.no_results_file:
            RESULTS.mkdir(exist_ok=True)
            path = RESULTS / f"load_submit-{dt.date.today().isoformat()}.md"
            path.write_text(report)
            print(f"written to {path.relative_to(ROOT)}")
        bad = submit.server_errors + anchor.server_errors + lost + duplicated
        bad += len(tokens) - len(acknowledged) + sum(anchor.failures.values())
        return 1 if bad else 0
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        drop_database(admin_url, args.database)


def render(args, description, postgres, figures, seconds) -> str:
    lines = [
        f"# load_submit: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"`{' '.join(['bench/load_submit.py', *sys.argv[1:]])}`: {args.submissions} "
        f"submissions of the `csat_purchase` survey (2 pages, 4 requests each) by "
        f"{args.clients} concurrent clients, each a personal invitation link, in "
        f"{seconds:.1f} s; gunicorn gthread {args.workers} workers x {args.threads} threads, "
        "production settings (DEBUG off), connection pool per worker.",
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in figures.items()),
        "",
        "Machine (shared with other work during the run):",
        "",
        *(f"- {name}: {value}" for name, value in description.items()),
        "- PostgreSQL "
        + ", ".join(
            f"{name} {value}" if name != "server_version" else value
            for name, value in postgres.items()
        ),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
