"""Turn an uploaded CSV or .xlsx file into a header row and a stream of cell rows.

Readers never hold a whole file in memory: CSV is decoded and parsed line by line, .xlsx is
read with openpyxl's read-only mode. Cells come out as text, or as `datetime`/`date` for Excel
date cells, so that the row parsers see one shape whatever the source was.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

Cell = str | dt.datetime | dt.date

CSV = "csv"
XLSX = "xlsx"
_EXTENSIONS = {".csv": CSV, ".tsv": CSV, ".txt": CSV, ".xlsx": XLSX}
_DELIMITERS = (",", ";", "\t")
_SCAN_BLOCK = 1024 * 1024
# Parts smaller than this unpack quickly whatever their compression ratio.
_RATIO_FLOOR = 1024 * 1024


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says why, in the user's words."""

    @property
    def message(self) -> str:
        return str(self.args[0])


class _Undecodable(FileProblem):
    pass


@dataclass(frozen=True)
class Table:
    """A header row and the data rows under it, each as (row number as the user sees it,
    cells). `total_rows` is the number of non-blank data rows when known without a second
    pass (CSV), else None."""

    headers: tuple[str, ...]
    rows: Iterator[tuple[int, list[Cell]]]
    total_rows: int | None


def file_format(name: str) -> str:
    """'csv' or 'xlsx' from the file name, or FileProblem for anything else."""
    suffix = PurePath(name).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if suffix == ".xls":
        raise FileProblem(
            _("Old Excel files (.xls) cannot be read; save the file as .xlsx or CSV.")
        )
    raise FileProblem(_("Only CSV and Excel (.xlsx) files can be imported."))


def check_upload(fileobj: IO[bytes], *, name: str, size: int) -> str:
    """Reject what cannot be an importable file before it is stored; returns the format.

    Reads only the start of the file: a full check happens when the file is previewed."""
    fmt = file_format(name)
    if size > settings.MANYI_IMPORT_MAX_BYTES:
        raise FileProblem(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.MANYI_IMPORT_MAX_BYTES),
            }
        )
    if size == 0:
        raise FileProblem(_("The file is empty."))
    with open_table(fileobj, fmt=fmt, scan=False) as table:
        if not table.headers:
            raise FileProblem(_("The file has no header row."))
    return fmt


@contextmanager
def open_table(fileobj: IO[bytes], *, fmt: str, scan: bool = True) -> Iterator[Table]:
    """Open `fileobj` (binary, seekable) as a Table. With `scan`, a CSV file is read through
    once first so that an undecodable or malformed line fails the whole file before any row
    is saved."""
    fileobj.seek(0)
    if fmt == XLSX:
        with _open_xlsx(fileobj) as table:
            yield table
    else:
        yield _open_csv(fileobj, scan=scan)


# CSV


def _open_csv(fileobj: IO[bytes], *, scan: bool) -> Table:
    head = fileobj.read(_SCAN_BLOCK)
    if not head.strip(b"\xef\xbb\xbf \t\r\n"):
        raise FileProblem(_("The file is empty."))
    if _looks_binary(head):
        raise FileProblem(_("This is not a CSV text file."))
    if scan:
        encoding, delimiter, total = _scan(fileobj, head)
    else:
        encoding = _encoding_of(head, final=len(head) < _SCAN_BLOCK)
        delimiter, total = _delimiter(_first_line(head, encoding)), None
    records = _records(fileobj, encoding, delimiter)
    headers: tuple[str, ...] = ()
    for _number, cells in records:
        headers = tuple(str(cell).strip() for cell in cells)
        break
    if not any(headers):
        raise FileProblem(_("The file has no header row."))
    return Table(headers=headers, rows=records, total_rows=total)


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head[:8192]


def _candidates(head: bytes) -> tuple[str, ...]:
    # Excel saves "Unicode text" as UTF-16 with a BOM; Chinese Excel's plain CSV is GB18030.
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ("utf-16",)
    return ("utf-8-sig", "gb18030")


def _decodes(data: bytes, encoding: str, *, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _encoding_of(head: bytes, *, final: bool) -> str:
    for encoding in _candidates(head):
        if _decodes(head, encoding, final=final):
            return encoding
    raise FileProblem(_("The file is neither UTF-8 nor GB18030 (GBK) text."))


def _scan(fileobj: IO[bytes], head: bytes) -> tuple[str, str, int]:
    """Encoding, delimiter and number of data rows, from one pass over the whole file (two
    for a GB18030 file), so that a bad line fails the file before any row is saved."""
    for encoding in _candidates(head):
        delimiter = _delimiter(_first_line(head, encoding))
        try:
            return encoding, delimiter, _count_rows(fileobj, encoding, delimiter)
        except _Undecodable:
            continue
    raise FileProblem(_("The file is neither UTF-8 nor GB18030 (GBK) text."))


def _first_line(head: bytes, encoding: str) -> str:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    return text.lstrip("\r\n").split("\n", 1)[0]


def _delimiter(line: str) -> str:
    counts = {delimiter: line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(fileobj: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list]]:
    """Non-blank records, numbered as a spreadsheet shows them (blank lines count)."""
    fileobj.seek(0)
    text = io.TextIOWrapper(io.BufferedReader(_Unclosable(fileobj)), encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise _Undecodable(_("The file is neither UTF-8 nor GB18030 (GBK) text.")) from exc
        except csv.Error as exc:
            raise FileProblem(
                _("Row %(row)d could not be read: %(error)s") % {"row": number + 1, "error": exc}
            ) from exc
        number += 1
        if any(cell.strip() for cell in cells):
            yield number, cells


def _count_rows(fileobj: IO[bytes], encoding: str, delimiter: str) -> int:
    return sum(1 for _row in itertools.islice(_records(fileobj, encoding, delimiter), 1, None))


class _Unclosable(io.RawIOBase):
    """Lets a TextIOWrapper read the stored file without closing it when it is dropped."""

    def __init__(self, raw: IO[bytes]):
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# XLSX


@contextmanager
def _open_xlsx(fileobj: IO[bytes]) -> Iterator[Table]:
    import openpyxl  # imported here: only .xlsx imports pay for it

    if not zipfile.is_zipfile(fileobj):
        raise FileProblem(_("The file is not a valid Excel workbook (.xlsx)."))
    fileobj.seek(0)
    _check_unpacked_size(fileobj)
    fileobj.seek(0)
    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise FileProblem(_("The file is not a valid Excel workbook (.xlsx).")) from exc
    try:
        if not workbook.worksheets:
            raise FileProblem(_("The workbook has no sheet."))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store wrong sizes; read every cell there is
        rows = _xlsx_rows(sheet)
        headers: tuple[str, ...] = ()
        for _number, cells in rows:
            headers = tuple(str(cell).strip() for cell in cells)
            break
        if not any(headers):
            raise FileProblem(_("The file has no header row."))
        yield Table(headers=headers, rows=rows, total_rows=None)
    finally:
        workbook.close()


def _check_unpacked_size(fileobj: IO[bytes]) -> None:
    """Refuse a workbook that would unpack to far more than it weighs (a "zip bomb") before
    any of it is parsed.

    The sizes are those the zip declares; they bound what is read, because Python's zipfile
    stops each member at its declared size (and fails on its checksum if the data goes on).
    Worksheets are streamed row by row, so their size only costs time; the other parts
    (shared strings, styles) are read whole into memory, so they have a tighter limit."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileProblem(_("The file is not a valid Excel workbook (.xlsx).")) from exc
    total_limit = settings.MANYI_IMPORT_XLSX_MAX_UNPACKED_BYTES
    part_limit = settings.MANYI_IMPORT_XLSX_MAX_PART_BYTES
    ratio_limit = settings.MANYI_IMPORT_XLSX_MAX_RATIO
    total = 0
    for member in members:
        total += member.file_size
        streamed = member.filename.startswith("xl/worksheets/")
        ratio = member.file_size / max(member.compress_size, 1)
        if (
            total > total_limit
            or (not streamed and member.file_size > part_limit)
            # Small parts may compress very well; a ratio matters when the size does.
            or (member.file_size > _RATIO_FLOOR and ratio > ratio_limit)
        ):
            raise FileProblem(
                _(
                    "The workbook would unpack to too much data (over %(limit)s, or over "
                    "%(ratio)d times its packed size), so it was not read. Save it again "
                    "from Excel, or as CSV."
                )
                % {"limit": filesizeformat(min(total_limit, part_limit)), "ratio": ratio_limit}
            )


def _xlsx_rows(sheet) -> Iterator[tuple[int, list[Cell]]]:
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [excel_cell(value) for value in values]
            if any(cells):
                yield number, cells
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise FileProblem(_("The workbook is damaged and could not be read to the end.")) from exc


def excel_cell(value) -> Cell:
    """One cell as the parsers want it: dates stay dates, everything else becomes text.

    Whole numbers stored as floats lose their '.0' (a phone number 13800138000 read as a float
    must not come back as '1.38e10'); others keep Excel's 15 significant digits."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return format(Decimal(f"{value:.15g}"), "f")
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value).strip()
