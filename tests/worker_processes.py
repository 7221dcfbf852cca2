"""Running real `manyi worker` processes against the test database, for kill tests.

On PostgreSQL the processes connect to pytest's test database itself (the test must use
`django_db(transaction=True, serialized_rollback=True)`, so that its rows are committed and
the next transactional test finds the migrated data). SQLite's test database lives in
this process's memory, so it is copied to a file for the workers (`share()`) and the file
copied back when they are done (`collect()`); between the two, read what the workers did from
files of your own, not through the ORM.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.db import connection

REPO = Path(__file__).resolve().parent.parent
WORKER_SECRET_KEY = "kill-test-" + "x" * 50


class SharedDatabase:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.sqlite = connection.vendor == "sqlite"
        self.processes: list[subprocess.Popen] = []
        if self.sqlite:
            self.file = tmp_path / "shared.sqlite3"
            self.url = f"sqlite:///{self.file}"
        else:
            s = connection.settings_dict
            auth = quote(s["USER"] or "", safe="")
            if s["PASSWORD"]:
                auth += ":" + quote(s["PASSWORD"], safe="")
            host = s["HOST"] or "localhost"
            port = f":{s['PORT']}" if s["PORT"] else ""
            self.url = f"postgres://{auth}@{host}{port}/{s['NAME']}"

    def share(self) -> None:
        """Make what the test wrote so far visible to worker processes."""
        if self.sqlite:
            connection.ensure_connection()
            self.file.unlink(missing_ok=True)
            target = sqlite3.connect(self.file)
            try:
                connection.connection.backup(target)
            finally:
                target.close()

    def collect(self) -> None:
        """Make what the workers wrote visible to the test's ORM (stop them first)."""
        if self.sqlite:
            connection.ensure_connection()
            source = sqlite3.connect(self.file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="manyi.settings.base",
            DATABASE_URL=self.url,
            MANYI_DATA_DIR=str(self.tmp_path),
            MANYI_SECRET_KEY=WORKER_SECRET_KEY,
            MANYI_DEBUG="false",
            MANYI_TASK_BACKEND="django_tasks_db.DatabaseBackend",
            MANYI_LOG_LEVEL="WARNING",
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        )
        env.update(extra)
        return env

    def start_worker(self, *args: str, name: str = "worker", **env: str) -> subprocess.Popen:
        """`manyi worker` polling fast, with a short heartbeat; its output goes to name.log."""
        log = (self.tmp_path / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "manyi",
                "worker",
                "--interval=0.05",
                "--no-startup-delay",
                "--no-reload",
                "--heartbeat=0.2",
                "--stale-after=1",
                *args,
            ],
            cwd=REPO,
            env=self.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def log(self, name: str = "worker") -> str:
        path = self.tmp_path / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self, process: subprocess.Popen) -> None:
        """kill -9: the process gets no chance to clean up."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, process: subprocess.Popen) -> int:
        """Ask for a graceful stop (SIGTERM), as a process manager would."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
            raise

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=5)


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, logs=None):
    """Poll until condition() is truthy; fail with `what` (and the workers' logs) otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    detail = f"\n--- worker logs ---\n{logs()}" if logs else ""
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}{detail}")
