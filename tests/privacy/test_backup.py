"""`manyi backup` and `manyi restore`: the demo data and the uploaded files go into one
archive and come back, table for table, into an empty database (a second SQLite file, or a
scratch PostgreSQL database next to the test database)."""

import io
import json
import stat
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from manyi.customers.models import Customer
from manyi.privacy.backup import MANIFEST, table_counts
from tests.factories import CustomerFactory

TARGET = "restore_target"
# Real commits (pg_dump reads from another process); seeded rows come back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def folders(settings, tmp_path):
    """The site's upload folders, with a public and a private file."""
    settings.MEDIA_ROOT = tmp_path / "site" / "media"
    settings.MANYI_PRIVATE_DIR = tmp_path / "site" / "private"
    (settings.MEDIA_ROOT / "exports").mkdir(parents=True)
    (settings.MEDIA_ROOT / "exports" / "report.pdf").write_bytes(b"%PDF-1.4 report")
    (settings.MANYI_PRIVATE_DIR / "imports" / "2026").mkdir(parents=True)
    (settings.MANYI_PRIVATE_DIR / "imports" / "2026" / "客户.csv").write_text("name\n李雷\n")
    return settings


@pytest.fixture
def demo():
    call_command(
        "demo_data", customers=40, purchases=80, interactions=40, responses=60, verbosity=0
    )


@pytest.fixture
def empty_database(tmp_path):
    """A second, empty database under the alias TARGET: a new SQLite file, or a new
    PostgreSQL database named after the test database (so parallel runs do not collide)."""
    source = connections["default"]
    quote = source.ops.quote_name
    if source.vendor == "postgresql":
        name = f"{source.settings_dict['NAME']}_restore"
        with source.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute(f"CREATE DATABASE {quote(name)}")
    else:
        name = str(tmp_path / "restored.sqlite3")
    # A plain connection, not a pool: pooled connections would stay open and keep the
    # database from being dropped afterwards.
    options = {k: v for k, v in source.settings_dict["OPTIONS"].items() if k != "pool"}
    connections.settings[TARGET] = {**source.settings_dict, "NAME": name, "OPTIONS": options}
    # Connected here: the test case only lets a connection it did not know of be opened
    # before the test touches it.
    connections[TARGET].connect()
    yield TARGET
    connections[TARGET].close()
    del connections[TARGET]
    del connections.settings[TARGET]
    if source.vendor == "postgresql":
        with source.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")


def backup(path):
    call_command("backup", str(path), verbosity=0)
    return path


def restore(path, **options):
    call_command("restore", str(path), verbosity=0, **options)


def test_the_demo_comes_back_table_for_table_into_an_empty_database(
    demo, folders, empty_database, tmp_path
):
    # given: the demo data and two uploaded files, backed up
    before = table_counts()
    assert before["customers_customer"] == 40 and before["surveys_response"] > 0
    archive = backup(tmp_path / "backups" / "site.tar.gz")
    # when: restored into an empty database, on a machine with empty upload folders
    folders.MEDIA_ROOT = tmp_path / "new" / "media"
    folders.MANYI_PRIVATE_DIR = tmp_path / "new" / "private"
    assert table_counts(empty_database) == {}
    restore(archive, database=empty_database)
    # then: every table has the same number of rows, and the files are back
    assert table_counts(empty_database) == before
    assert (folders.MEDIA_ROOT / "exports" / "report.pdf").read_bytes() == b"%PDF-1.4 report"
    private = folders.MANYI_PRIVATE_DIR / "imports" / "2026" / "客户.csv"
    assert private.read_text() == "name\n李雷\n"
    restored = Customer.objects.using(empty_database).order_by("pk")
    assert list(restored.values_list("name", "external_id")) == list(
        Customer.objects.order_by("pk").values_list("name", "external_id")
    )


def test_the_archive_has_a_manifest_and_is_private(demo, folders, tmp_path):
    archive = backup(tmp_path / "site.tar.gz")
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        names = set(tar.getnames())
    engine = connections["default"].vendor
    assert manifest["format"] == "manyi-backup" and manifest["engine"] == engine
    assert manifest["manyi_version"] and manifest["created_at"]
    assert manifest["tables"] == table_counts()
    assert manifest["files"] == {"media": 1, "private": 1}
    assert manifest["migrations"]["surveys"].startswith("00")
    assert manifest["database"] in names
    assert "files/private/imports/2026/客户.csv" in names
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds personal data
    assert not list(tmp_path.glob("*.partial"))


def test_restore_refuses_a_database_with_data_unless_forced(demo, folders, tmp_path):
    # given: a backup, then more data
    archive = backup(tmp_path / "site.tar.gz")
    before = table_counts()
    CustomerFactory(name="added after the backup")
    # when / then: refused, nothing changed
    with pytest.raises(CommandError, match="The database is not empty"):
        restore(archive)
    assert Customer.objects.filter(name="added after the backup").exists()
    # forced: the database is as it was at the backup, the old files are kept aside
    (folders.MEDIA_ROOT / "exports" / "report.pdf").write_bytes(b"changed since")
    restore(archive, force=True)
    assert table_counts() == before
    assert not Customer.objects.filter(name="added after the backup").exists()
    assert (folders.MEDIA_ROOT / "exports" / "report.pdf").read_bytes() == b"%PDF-1.4 report"
    aside = list(folders.MEDIA_ROOT.parent.glob("media.before-restore-*"))
    assert len(aside) == 1 and (aside[0] / "exports" / "report.pdf").read_bytes() == (
        b"changed since"
    )


def altered(archive, path, change):
    """A copy of `archive` whose manifest went through `change`."""
    with tarfile.open(archive) as tar, tarfile.open(path, "w:gz") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == MANIFEST:
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return path


def _other_engine(manifest):
    manifest["engine"] = "sqlite" if manifest["engine"] == "postgresql" else "postgresql"


def _newer_version(manifest):
    manifest["migrations"]["surveys"] = "9999_from_the_future"


def _database_outside(manifest):
    manifest["database"] = "../../etc/passwd"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_other_engine, "cannot be restored into"),
        (_newer_version, "newer version of manyi.*surveys.9999_from_the_future"),
        (_database_outside, "not a manyi backup"),
    ],
)
def test_restore_refuses_a_backup_it_cannot_restore(folders, tmp_path, change, message):
    # given: a backup, and a customer added since
    archive = backup(tmp_path / "site.tar.gz")
    CustomerFactory(name="kept")
    # when / then: refused, even when forced, and nothing changed
    with pytest.raises(CommandError, match=message):
        restore(altered(archive, tmp_path / "altered.tar.gz", change), force=True)
    assert Customer.objects.filter(name="kept").exists()


def test_restore_refuses_what_is_not_a_backup(folders, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="not a manyi backup"):
        restore(junk)
    with pytest.raises(CommandError, match="does not exist"):
        restore(tmp_path / "missing.tar.gz")


def test_restore_refuses_upload_folders_with_files_unless_forced(
    demo, folders, empty_database, tmp_path
):
    # given: a backup restored into an empty database, but on a site with files already
    archive = backup(tmp_path / "site.tar.gz")
    (folders.MANYI_PRIVATE_DIR / "other.txt").write_text("not from the backup")
    # when / then
    with pytest.raises(CommandError, match="upload folders are not empty"):
        restore(archive, database=empty_database)
    assert table_counts(empty_database) == {}  # refused before the database was touched
