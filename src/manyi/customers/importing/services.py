"""Import jobs: store an upload, preview it, run it, and report every row that failed.

The upload is read through once, when it is stored: the preview (columns, first rows, row
count) is kept on the job. Confirming queues the job for a background worker (`tasks.py`).

A run reads the file as a stream and works in batches (MANYI_IMPORT_BATCH_ROWS rows): each is
checked with a few bulk reads, then written with bulk queries in one transaction that also
records the counters and the resume point (the last row number of the batch). If the database
still refuses a batch (a race with another writer, say), it is redone one record at a time so
that only the offending rows fail. A problem with the file as a whole fails the job before
anything is written.

A run that dies (a killed worker) leaves the job `running` with a heartbeat that no longer
moves; after MANYI_JOB_STALE_SECONDS it is stalled, and resuming it (by hand or the periodic
task) goes on after the last committed batch. Each run holds a token that every batch checks
in its transaction, so a worker wrongly thought dead can never commit beside its successor.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from manyi.accounts import access
from manyi.accounts.access import Action

from ..choices import ImportKind, ImportStatus
from ..models import ImportJob, stale_before
from .base import Importer, Saved
from .columns import HeaderMap, map_headers
from .customers import CustomerImporter
from .interactions import InteractionImporter
from .preview import ImportPreview, build_preview, preview_as_json, preview_from_json
from .purchases import PurchaseImporter
from .readers import FileProblem, Table, check_upload, file_format, open_table
from .rows import ParsedRow, RowError, parse_row

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20
IMPORTERS: dict[str, type[Importer]] = {
    ImportKind.CUSTOMERS: CustomerImporter,
    ImportKind.PURCHASES: PurchaseImporter,
    ImportKind.INTERACTIONS: InteractionImporter,
}


def import_job_create(*, user, kind: str, uploaded_file) -> ImportJob:
    """Store an uploaded file as a job awaiting confirmation; ValidationError if it is unusable.

    The file is read through once here, to build the preview and count its rows; the preview
    page shows what was stored and never reads the file again."""
    if kind not in ImportKind.values:
        raise ValidationError(_("Choose what the file contains."), code="invalid_kind")
    name = PurePath(uploaded_file.name or "").name
    try:
        fmt = check_upload(uploaded_file, name=name, size=uploaded_file.size or 0)
    except FileProblem as exc:
        raise ValidationError(exc.message, code="invalid_file") from exc
    uploaded_file.seek(0)
    job = ImportJob(
        kind=kind,
        original_name=name[:255],
        created_by=user,
        language=translation.get_language() or "",
    )
    # Stored under a random name in the private storage; the user's name is original_name.
    job.file.save(f"{kind}.{fmt}", uploaded_file, save=False)
    preview = _read_preview(job)
    job.preview = preview_as_json(preview)
    job.total_rows = preview.total_rows
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


def import_preview(*, job: ImportJob, limit: int = PREVIEW_ROWS) -> ImportPreview:
    """What the import would do with the first `limit` rows, as computed when the file was
    uploaded (computed and kept now for a job stored before previews were kept)."""
    if not job.preview:
        preview = _read_preview(job)
        job.preview = preview_as_json(preview)
        job.total_rows = preview.total_rows
        ImportJob.objects.filter(pk=job.pk).update(preview=job.preview, total_rows=job.total_rows)
    return preview_from_json(job.kind, job.preview, limit=limit)


def import_start(*, job: ImportJob) -> ImportJob:
    """The user confirmed: queue the job for a background worker, once (a double click or a
    repeated request queues nothing more)."""
    with transaction.atomic():
        queued = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.UPLOADED).update(
            status=ImportStatus.QUEUED
        )
        if queued:
            transaction.on_commit(partial(_enqueue, job.pk))
    job.refresh_from_db()
    return job


def import_cancel(*, job: ImportJob) -> ImportJob:
    """Stop an import: a queued or stalled one at once, a running one after its current batch
    (the worker checks between batches). Rows already committed stay imported."""
    now = timezone.now()
    with transaction.atomic():
        ImportJob.objects.filter(
            Q(pk=job.pk) & (Q(status=ImportStatus.QUEUED) | _stalled(now))
        ).update(
            status=ImportStatus.CANCELLED,
            cancel_requested=True,
            run_token="",  # a worker thought dead may not commit any more
            finished_at=now,
            message=_cancelled_message(job.rows_done, job.last_row),
        )
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
            cancel_requested=True
        )
    job.refresh_from_db()
    return job


def import_resume(*, job: ImportJob) -> bool:
    """Queue a stalled import again (its worker died); it goes on after its last committed
    batch. True if it was stalled and is queued now."""
    with transaction.atomic():
        resumed = ImportJob.objects.filter(Q(pk=job.pk) & _stalled(timezone.now())).update(
            status=ImportStatus.QUEUED, run_token=""
        )
        if resumed:
            transaction.on_commit(partial(_enqueue, job.pk))
    job.refresh_from_db()
    return bool(resumed)


def imports_resume_stalled() -> int:
    """Queue again every stalled import (the periodic task); how many were."""
    stalled = ImportJob.objects.filter(_stalled(timezone.now())).values_list("pk", flat=True)
    return sum(import_resume(job=job) for job in ImportJob.objects.filter(pk__in=list(stalled)))


def import_run(*, job: ImportJob) -> ImportJob:
    """Import the job's file, in batches, here and now (the background task calls this).

    Runs a job that is waiting (uploaded or queued) or stalled; any other is left as it is, so
    a repeated request or task never imports twice. A stalled job goes on after its last
    committed batch."""
    token = _claim(job.pk)
    job.refresh_from_db()
    if token is None:
        return job
    with translation.override(job.language or None):  # the report in the uploader's language
        _run_claimed(job, token)
    return job


def _run_claimed(job: ImportJob, token: str) -> None:
    try:
        outcome = _run(job, token)
    except _Lost:
        logger.warning("Import job %s was taken over by another worker", job.pk)
    except FileProblem as exc:
        _finish(job, token, ImportStatus.FAILED, _partial(job, exc.message))
    except Exception:
        logger.exception("Import job %s stopped", job.pk)
        message = _("The import stopped because of an unexpected error.")
        _finish(job, token, ImportStatus.FAILED, _partial(job, message))
    else:
        if outcome == ImportStatus.CANCELLED:
            message = _cancelled_message(job.rows_done, job.last_row)
            _finish(job, token, ImportStatus.CANCELLED, message)
        else:
            _finish(job, token, ImportStatus.DONE, "")


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


class _Lost(Exception):
    """Another worker took the job over (this one was thought dead): stop without writing."""


def _enqueue(job_id: int) -> None:
    from ..tasks import import_job_run  # the task module imports this one

    import_job_run.enqueue(job_id)


def _stalled(now) -> Q:
    cutoff = stale_before(now=now)
    return Q(status=ImportStatus.RUNNING) & (
        # No heartbeat at all: a job left running by a version without them.
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )


def _claim(job_id: int) -> str | None:
    """Take the job for this run, with a new token that each batch must still hold."""
    token = uuid.uuid4().hex
    now = timezone.now()
    waiting = Q(status__in=[ImportStatus.UPLOADED, ImportStatus.QUEUED])
    claimed = ImportJob.objects.filter(Q(pk=job_id) & (waiting | _stalled(now))).update(
        status=ImportStatus.RUNNING,
        run_token=token,
        started_at=now,
        heartbeat_at=now,
        rows_at_start=F("rows_done"),
    )
    return token if claimed else None


def _run(job: ImportJob, token: str) -> str:
    """DONE once every row is in, CANCELLED if asked to stop between two batches."""
    with _job_table(job) as table:
        header_map = map_headers(job.kind, table.headers)
        if problem := _header_problem(header_map):
            raise FileProblem(problem)
        importer = IMPORTERS[job.kind](header_map)
        resume_after = job.last_row
        rows = ((number, cells) for number, cells in table.rows if number > resume_after)
        for batch in _chunks(job.kind, header_map, importer, rows):
            if not _import_batch(job, token, importer, batch):
                return ImportStatus.CANCELLED
    return ImportStatus.DONE


def _import_batch(job: ImportJob, token: str, importer: Importer, batch: list[ParsedRow]) -> bool:
    """Save one batch and, in the same transaction, the counters and the resume point, so a
    kill leaves both or neither. False (nothing saved) if a cancel was asked for."""
    now = timezone.now()
    with transaction.atomic():
        # First, and under the row's lock: is this run still the job's, and not cancelled?
        mine = ImportJob.objects.filter(pk=job.pk, run_token=token)
        if not mine.filter(cancel_requested=False).update(heartbeat_at=now):
            if mine.exists():
                return False
            raise _Lost
        saved = _import_chunk(importer, batch)
        failed = [row for row in batch if row.errors]
        job.rows_done += len(batch)
        job.last_row = batch[-1].number
        job.created_count += saved.created
        job.updated_count += saved.updated
        job.failed_count += len(failed)
        changes = {
            "rows_done": job.rows_done,
            "last_row": job.last_row,
            "created_count": job.created_count,
            "updated_count": job.updated_count,
            "failed_count": job.failed_count,
            "heartbeat_at": timezone.now(),
        }
        if failed:  # the report grows only when a batch adds to it
            job.errors = job.errors + [e.as_dict() for row in failed for e in row.errors]
            changes["errors"] = job.errors
        if not mine.update(**changes):  # cannot happen under the lock taken above; be sure
            raise _Lost
    importer.committed([row for row in batch if not row.errors])
    return True


def _partial(job: ImportJob, message: str) -> str:
    if not job.rows_done:
        return message
    kept = _("The rows up to row %(row)d were imported.") % {"row": job.last_row}
    return f"{message} {kept}"


def _cancelled_message(rows_done: int, last_row: int) -> str:
    if not rows_done:
        return _("The import was cancelled before any row was imported.")
    return _("The import was cancelled; the rows up to row %(row)d were imported.") % {
        "row": last_row
    }


def _finish(job: ImportJob, token: str, status: str, message: str) -> None:
    changes = {"status": status, "message": message, "finished_at": timezone.now()}
    if status == ImportStatus.DONE:
        changes["total_rows"] = job.rows_done
    ImportJob.objects.filter(pk=job.pk, run_token=token).update(run_token="", **changes)
    job.refresh_from_db()


def _read_preview(job: ImportJob, limit: int = PREVIEW_ROWS) -> ImportPreview:
    """One pass over the file: the first `limit` rows parsed and checked, the others counted."""
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
    kind: str, header_map: HeaderMap, importer: Importer, rows: Iterable[tuple[int, list]]
) -> Iterator[list[ParsedRow]]:
    """Parsed rows in chunks; an order's lines stay together (up to a sane limit)."""
    size = max(1, settings.MANYI_IMPORT_BATCH_ROWS)
    chunk: list[ParsedRow] = []
    for number, cells in rows:
        row = parse_row(kind, header_map, number, cells)
        if len(chunk) >= size and (
            not importer.keep_groups_together
            or importer.record_key(row) != importer.record_key(chunk[-1])
            or len(chunk) >= size * 10
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
