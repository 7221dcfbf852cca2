"""Backup and restore of a whole site: the database and the uploaded files, in one archive.

The archive is a gzipped tar holding:

- `manifest.json`: format version, manyi version, when, database engine, the last applied
  migration of each app, the row count of every table and the file count of each folder;
- the database: `database.dump` (PostgreSQL, `pg_dump --format=custom`) or `database.sqlite3`
  (SQLite, a consistent copy made with SQLite's online backup API while the site runs);
- `files/media/...` and `files/private/...`: the uploads (MEDIA_ROOT and the private folder).

Restoring refuses a database that already holds users, customers or surveys, and upload
folders that are not empty, unless forced; it then checks every table's row count against the
manifest. See docs/backup.md for the procedure.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "manyi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.dump"
FILES_PREFIX = "files"


class BackupError(Exception):
    """Backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    tables: dict[str, int]
    files: dict[str, int]
    moved_aside: list[Path]


def file_roots() -> dict[str, Path]:
    """The folders of uploaded files that a backup holds, by name in the archive."""
    private = getattr(settings, "MANYI_PRIVATE_DIR", None) or Path(settings.DATA_DIR) / "private"
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(private)}


def _engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def table_counts(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """The number of rows of every table of the database, by table name."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(alias: str) -> dict[str, str]:
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return {}
    latest: dict[str, str] = {}
    for app, name in recorder.migration_qs.order_by("applied", "id").values_list("app", "name"):
        latest[app] = name
    return latest


def holds_data(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the database holds anything a restore would destroy: users, customers or
    surveys (a freshly migrated database holds only what migrations seed)."""
    from manyi.accounts.models import User
    from manyi.customers.models import Customer
    from manyi.surveys.models import Survey

    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    return any(
        model._meta.db_table in tables and model._default_manager.using(alias).exists()
        for model in (User, Customer, Survey)
    )


# Database dumps


def _pg_command(alias: str, program: str) -> tuple[list[str], dict[str, str]]:
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} was not found: install the PostgreSQL client programs "
            f"(for example the postgresql-client package) matching the server's version."
        )
    params = connections[alias].settings_dict
    args = [program, "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            args += [flag, str(params[key])]
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{args[0]} failed: " + " / ".join(message[-5:]))


def _dump_postgresql(alias: str, target: Path) -> None:
    args, env = _pg_command(alias, "pg_dump")
    dbname = connections[alias].settings_dict["NAME"]
    _run([*args, "--format=custom", "--file", str(target), "--dbname", dbname], env)


def _dump_sqlite(alias: str, target: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # The online backup API: a consistent copy, even while the site keeps writing.
        connection.connection.backup(copy)
    finally:
        copy.close()


def _restore_postgresql(alias: str, source: Path) -> None:
    args, env = _pg_command(alias, "pg_restore")
    # Django's connection is in autocommit between queries: it holds no lock on the tables
    # pg_restore drops and recreates.
    dbname = connections[alias].settings_dict["NAME"]
    _run(
        [
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            dbname,
            str(source),
        ],
        env,
    )


def _restore_sqlite(alias: str, source: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    backup = sqlite3.connect(source)
    try:
        # Page by page into the live connection: the whole database is replaced at once.
        backup.backup(connection.connection)
    finally:
        backup.close()


# Archives


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _add_folder(tar: tarfile.TarFile, name: str, root: Path) -> int:
    count = 0
    if not root.is_dir():
        return 0
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue  # only regular files: never follow a link out of the folder
        tar.add(path, arcname=f"{FILES_PREFIX}/{name}/{path.relative_to(root).as_posix()}")
        count += 1
    return count


def backup_create(*, output: Path, alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Write a backup archive to `output` and return its manifest."""
    engine = _engine(alias)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="manyi-backup-") as scratch:
        member = PG_MEMBER if engine == "postgresql" else SQLITE_MEMBER
        dump = Path(scratch) / member
        # Row counts first, then the dump: on a busy site the dump may hold a few more rows,
        # which a restore reports; it never holds fewer without saying so.
        counts = table_counts(alias)
        if engine == "postgresql":
            _dump_postgresql(alias, dump)
        else:
            _dump_sqlite(alias, dump)
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(dump, arcname=member)
            files = {name: _add_folder(tar, name, root) for name, root in file_roots().items()}
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "manyi_version": importlib.metadata.version("manyi"),
                "created_at": timezone.now().isoformat(),
                "engine": engine,
                "database": member,
                "migrations": _migrations(alias),
                "tables": counts,
                "files": files,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
    os.chmod(partial, 0o600)  # it holds personal data
    partial.replace(output)  # never a half-written archive under the final name
    return manifest


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive, "r:*") as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is not a manyi backup: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a manyi backup (no manifest).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} is a backup of format {manifest.get('format_version')}; this version "
            f"of manyi reads format {FORMAT_VERSION}."
        )
    return manifest


def _non_empty(path: Path) -> bool:
    return path.exists() and any(path.iterdir())


def backup_restore(*, archive: Path, alias: str = DEFAULT_DB_ALIAS, force: bool = False):
    """Restore a backup archive into the database `alias` and the upload folders."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    engine = _engine(alias)
    if manifest["engine"] != engine:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database and cannot be restored into "
            f"{engine}. Restore it into a {manifest['engine']} database."
        )
    expected = PG_MEMBER if engine == "postgresql" else SQLITE_MEMBER
    if manifest.get("database") != expected:
        raise BackupError(f"{archive} is not a manyi backup (no {expected}).")
    if newer := _unknown_migrations(manifest.get("migrations", {})):
        raise BackupError(
            f"This backup was made by a newer version of manyi ({manifest['manyi_version']}; "
            f"unknown migrations: {', '.join(newer)}). Restore it with that version or newer."
        )
    roots = file_roots()
    unknown = sorted(set(manifest["files"]) - set(roots))
    if unknown:
        raise BackupError(f"The backup holds unknown folders: {', '.join(unknown)}.")
    if not force:
        if holds_data(alias):
            raise BackupError(
                "The database is not empty (it holds users, customers or surveys). Restore "
                "into an empty database, or pass --force to replace everything in it."
            )
        busy = [str(roots[name]) for name in manifest["files"] if _non_empty(roots[name])]
        if busy:
            raise BackupError(
                "These upload folders are not empty: " + ", ".join(busy) + ". Pass --force "
                "to move them aside and restore the backup's files."
            )
    with tempfile.TemporaryDirectory(prefix="manyi-restore-") as scratch:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(scratch, filter="data")  # refuses absolute paths, .., links out
        dump = Path(scratch) / manifest["database"]
        if engine == "postgresql":
            _restore_postgresql(alias, dump)
        else:
            _restore_sqlite(alias, dump)
        moved = _restore_files(Path(scratch) / FILES_PREFIX, roots, manifest["files"])
    tables = table_counts(alias)
    missing = {t: n for t, n in manifest["tables"].items() if tables.get(t, 0) < n}
    if missing:
        raise BackupError(
            "The restored database has fewer rows than the backup recorded: "
            + ", ".join(f"{t} ({tables.get(t, 0)} of {n})" for t, n in sorted(missing.items()))
        )
    files = {name: _count_files(roots[name]) for name in manifest["files"]}
    return RestoreResult(manifest=manifest, tables=tables, files=files, moved_aside=moved)


def _unknown_migrations(latest: dict[str, str]) -> list[str]:
    """The backup's last migrations that this version of manyi does not have."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, name in latest.items() if (app, name) not in known)


def _count_files(root: Path) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.is_dir() else 0


def _restore_files(extracted: Path, roots: dict[str, Path], names) -> list[Path]:
    moved = []
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in names:
        root = roots[name]
        if _non_empty(root):
            aside = root.with_name(f"{root.name}.before-restore-{stamp}")
            root.rename(aside)  # kept, never deleted: the operator removes it when satisfied
            moved.append(aside)
        source = extracted / name
        root.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, root, dirs_exist_ok=True)
    return moved
