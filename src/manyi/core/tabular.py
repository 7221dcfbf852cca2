"""Tables to files: CSV (streamed, UTF-8 with a BOM) and Excel (write-only, to a temporary
file), and the download response for either. Every export of the project writes through
these, so values look the same in all of them and re-import cleanly."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

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
    return str(value)


# Excel


def xlsx_file(rows: Iterable[list], *, title: str) -> IO[bytes]:
    """A workbook in a temporary file (write-only mode: rows go to disk as they come)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([_xlsx_value(value, ILLEGAL_CHARACTERS_RE) for value in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    workbook.save(out)
    out.seek(0)
    return out


def _xlsx_value(value, illegal):
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        # Excel has no time zones: local wall-clock time, which the importer reads back as such.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        return illegal.sub("", value)
    return value
