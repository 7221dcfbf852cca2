"""Import jobs: store an upload, preview it, run it, and report every row that failed.

A run reads the file as a stream and works in chunks: each chunk is checked with a few bulk
reads, then written in one transaction with bulk queries. If the database still refuses a
chunk (a race with another writer, say), the chunk is redone one record at a time so that only
the offending rows fail. A problem with the file as a whole fails the job before anything is
written. The run needs nothing but the job, so a background task can call it later.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.accounts import access
from manyi.accounts.access import Action

from ..choices import ImportKind, ImportStatus
from ..models import ImportJob
from .base import Importer, Saved
from .columns import HeaderMap, map_headers
from .customers import CustomerImporter
from .interactions import InteractionImporter
from .preview import ImportPreview, build_preview
from .purchases import PurchaseImporter
from .readers import FileProblem, Table, check_upload, file_format, open_table
from .rows import ParsedRow, RowError, parse_row

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
IMPORTERS: dict[str, type[Importer]] = {
    ImportKind.CUSTOMERS: CustomerImporter,
    ImportKind.PURCHASES: PurchaseImporter,
    ImportKind.INTERACTIONS: InteractionImporter,
}


def import_job_create(*, user, kind: str, uploaded_file) -> ImportJob:
    """Store an uploaded file as a job awaiting preview; ValidationError if it is unusable."""
    if kind not in ImportKind.values:
        raise ValidationError(_("Choose what the file contains."), code="invalid_kind")
    name = PurePath(uploaded_file.name or "").name
    try:
        fmt = check_upload(uploaded_file, name=name, size=uploaded_file.size or 0)
    except FileProblem as exc:
        raise ValidationError(exc.message, code="invalid_file") from exc
    uploaded_file.seek(0)
    job = ImportJob(kind=kind, original_name=name[:255], created_by=user)
    # The stored name is ours; the user's (any length, any script) is kept in original_name.
    job.file.save(f"{kind}.{fmt}", uploaded_file, save=False)
    job.save()
    return job


def import_jobs_visible_to(*, user):
    """Administrators see every import; anyone else the imports they uploaded."""
    if access.can(user, Action.ADMINISTER):
        return ImportJob.objects.all()
    return (
        ImportJob.objects.filter(created_by=user)
        if user.is_authenticated
        else ImportJob.objects.none()
    )


def import_preview(*, job: ImportJob, limit: int = 20) -> ImportPreview:
    """What the import would do with the first `limit` rows; reads only, writes nothing."""
    try:
        with _job_table(job) as table:
            header_map = map_headers(job.kind, table.headers)
            problem = _header_problem(header_map)
            rows: list[tuple[ParsedRow, list]] = []
            seen = 0
            for number, cells in table.rows:
                seen += 1
                if problem or len(rows) >= limit:
                    if table.total_rows is not None:
                        break
                    continue
                rows.append((parse_row(job.kind, header_map, number, cells), cells))
            if rows:
                IMPORTERS[job.kind](header_map).check([row for row, _cells in rows])
            total = table.total_rows if table.total_rows is not None else seen
    except FileProblem as exc:
        return ImportPreview(kind=job.kind, problem=exc.message)
    return build_preview(job.kind, header_map, rows, total, problem)


def import_run(*, job: ImportJob) -> ImportJob:
    """Import the job's file. Runs once: a job that is not awaiting confirmation is left as
    it is, so a repeated request or task never imports twice."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.UPLOADED).update(
        status=ImportStatus.RUNNING
    )
    job.refresh_from_db()
    if not claimed:
        return job
    progress = _Progress()
    try:
        _run(job, progress)
    except FileProblem as exc:
        _finish(job, progress, ImportStatus.FAILED, progress.partial(exc.message))
    except Exception:
        logger.exception("Import job %s stopped", job.pk)
        message = _("The import stopped because of an unexpected error.")
        _finish(job, progress, ImportStatus.FAILED, progress.partial(message))
    else:
        _finish(job, progress, ImportStatus.DONE, "")
    return job


def import_error_rows(*, job: ImportJob) -> Iterator[list]:
    """The report as rows for a spreadsheet: each error beside the values of its row, read
    again from the stored file (or without them when the file cannot be read any more)."""
    by_row: dict[int, list[dict]] = {}
    for error in job.errors:
        by_row.setdefault(error["row"], []).append(error)
    with ExitStack() as stack:
        try:
            table = stack.enter_context(_job_table(job))
            headers, rows = table.headers, table.rows
        except FileProblem:
            headers, rows = (), iter(())
        yield ["row", "column", "message", *headers]
        try:
            for number, cells in rows:
                if not by_row:
                    break
                for error in by_row.pop(number, ()):
                    yield [error["row"], error["column"], error["message"], *map(_text, cells)]
        except FileProblem:
            pass
    for errors in by_row.values():
        for error in errors:
            yield [error["row"], error["column"], error["message"]]


class _Progress:
    def __init__(self):
        self.total = 0
        self.saved = Saved()
        self.failed = 0
        self.errors: list[dict] = []
        self.next_row = 0

    def partial(self, message: str) -> str:
        if not self.total:
            return message
        kept = _("The rows before row %(row)d were imported.") % {"row": self.next_row}
        return f"{message} {kept}"


def _run(job: ImportJob, progress: _Progress) -> None:
    with _job_table(job) as table:
        header_map = map_headers(job.kind, table.headers)
        if problem := _header_problem(header_map):
            raise FileProblem(problem)
        importer = IMPORTERS[job.kind](header_map)
        for chunk in _chunks(job.kind, header_map, importer, table):
            saved = _import_chunk(importer, chunk)
            failed = [row for row in chunk if row.errors]
            progress.total += len(chunk)
            progress.saved += saved
            progress.failed += len(failed)
            progress.errors += [e.as_dict() for row in failed for e in row.errors]
            progress.next_row = chunk[-1].number + 1
            ImportJob.objects.filter(pk=job.pk).update(
                total_rows=progress.total,
                created_count=progress.saved.created,
                updated_count=progress.saved.updated,
                failed_count=progress.failed,
            )


def _finish(job: ImportJob, progress: _Progress, status: str, message: str) -> None:
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    job.total_rows = progress.total
    job.created_count = progress.saved.created
    job.updated_count = progress.saved.updated
    job.failed_count = progress.failed
    job.errors = progress.errors
    job.save()


@contextmanager
def _job_table(job: ImportJob) -> Iterator[Table]:
    fmt = file_format(job.file.name)
    try:
        job.file.open("rb")
    except (OSError, ValueError) as exc:
        raise FileProblem(_("The uploaded file can no longer be read.")) from exc
    try:
        with open_table(job.file, fmt=fmt) as table:
            yield table
    finally:
        job.file.close()


def _header_problem(header_map: HeaderMap) -> str:
    if not header_map.columns:
        return _(
            "None of the columns is recognised. Download the template to see the headers "
            "the import expects."
        )
    if header_map.missing:
        names = ", ".join(column.header for column in header_map.missing)
        return _("Required columns are missing: %(columns)s.") % {"columns": names}
    return ""


def _chunks(
    kind: str, header_map: HeaderMap, importer: Importer, table: Table
) -> Iterator[list[ParsedRow]]:
    """Parsed rows in chunks; an order's lines stay together (up to a sane limit)."""
    chunk: list[ParsedRow] = []
    for number, cells in table.rows:
        row = parse_row(kind, header_map, number, cells)
        if len(chunk) >= CHUNK_SIZE and (
            not importer.keep_groups_together
            or importer.record_key(row) != importer.record_key(chunk[-1])
            or len(chunk) >= CHUNK_SIZE * 10
        ):
            yield chunk
            chunk = []
        chunk.append(row)
    if chunk:
        yield chunk


def _import_chunk(importer: Importer, rows: list[ParsedRow]) -> Saved:
    importer.check(rows)
    good = [row for row in rows if not row.errors]
    try:
        with transaction.atomic():
            saved = importer.save(good)
    except (IntegrityError, DataError):
        return _import_one_by_one(importer, good)
    importer.committed(good)
    return saved


def _import_one_by_one(importer: Importer, rows: list[ParsedRow]) -> Saved:
    """Each record in its own savepoint, so one refused record fails only its own rows."""
    records: dict[str, list[ParsedRow]] = {}
    for row in rows:
        records.setdefault(importer.record_key(row), []).append(row)
    saved = Saved()
    for unit in records.values():
        try:
            with transaction.atomic():
                saved += importer.save(unit)
        except (IntegrityError, DataError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            for row in unit:
                row.errors.append(
                    RowError(
                        row.number,
                        "",
                        _("This row could not be saved: %(error)s") % {"error": reason},
                    )
                )
        else:
            importer.committed(unit)
    return saved


def _text(cell) -> str:
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ")
    return cell.isoformat() if isinstance(cell, dt.date) else str(cell)
