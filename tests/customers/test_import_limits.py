"""Hostile uploads: a workbook that unpacks to far more than it weighs is refused before any of it
is parsed, and a stored upload is read once, not on every view of its preview."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.reader.excel import ExcelReader

from manyi.customers.choices import ImportKind
from manyi.customers.importing import import_job_create, import_preview
from manyi.customers.importing import readers as readers_module
from manyi.customers.importing.readers import FileProblem, check_upload
from manyi.customers.models import ImportJob
from tests.customers.test_import_readers import xlsx_bytes

MB = 1024 * 1024


SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def inflated_xlsx(*, shared_strings_bytes: int) -> bytes:
    """A valid workbook whose shared strings unpack to `shared_strings_bytes` but pack to a few
    kilobytes: what a zip bomb looks like, scaled down so that the test stays fast."""
    plain = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["external_id", "name"], ["C1", "Ann"]])))
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>" + b"A" * shared_strings_bytes + b"</t></si></sst>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in plain.infolist():
            data = plain.read(item.filename)
            if item.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/>'
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                rel = f'<Relationship Id="rIdStrings" Type="{SST_REL}" Target="sharedStrings.xml"/>'
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            zf.writestr(item.filename, data)
        zf.writestr("xl/sharedStrings.xml", shared, compresslevel=9)
    return out.getvalue()


@pytest.fixture
def no_parsing(monkeypatch):
    """Fails the test if openpyxl is asked to parse a workbook."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    return calls


def test_the_inflated_workbook_is_a_real_workbook_that_openpyxl_reads():
    # The test file is valid: without the size checks it would be parsed whole.
    data = inflated_xlsx(shared_strings_bytes=3 * MB)
    assert len(data) < 64 * 1024
    reader = ExcelReader(io.BytesIO(data), read_only=True)
    reader.read()
    assert len(reader.shared_strings[0]) == 3 * MB  # read whole into memory
    rows = [list(row) for row in reader.wb.worksheets[0].iter_rows(values_only=True)]
    assert rows[1] == ["C1", "Ann"]


def test_a_part_that_unpacks_over_the_ratio_is_refused_before_parsing(no_parsing, settings):
    # given: 3 MB of shared strings packed into a few KB (ratio > 100); sizes otherwise allowed
    settings.MANYI_IMPORT_XLSX_MAX_PART_BYTES = 100 * MB
    data = inflated_xlsx(shared_strings_bytes=3 * MB)
    # when / then
    with pytest.raises(FileProblem, match="would unpack to too much data"):
        check_upload(io.BytesIO(data), name="bomb.xlsx", size=len(data))
    assert no_parsing == []


def test_a_part_read_whole_into_memory_has_a_size_limit(no_parsing, settings):
    # given: a ratio that would pass, but shared strings larger than a part may be
    settings.MANYI_IMPORT_XLSX_MAX_RATIO = 1_000_000
    settings.MANYI_IMPORT_XLSX_MAX_PART_BYTES = 1 * MB
    data = inflated_xlsx(shared_strings_bytes=2 * MB)
    with pytest.raises(FileProblem, match="would unpack to too much data"):
        check_upload(io.BytesIO(data), name="bomb.xlsx", size=len(data))
    assert no_parsing == []


def test_the_whole_workbook_has_an_unpacked_size_limit(no_parsing, settings):
    # given: a workbook of 200 rows, each part small, but more in all than allowed
    settings.MANYI_IMPORT_XLSX_MAX_UNPACKED_BYTES = 8 * 1024
    data = xlsx_bytes([["external_id", "name"]] + [[f"C{i}", f"Name {i}"] for i in range(200)])
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) > 8 * 1024
    with pytest.raises(FileProblem, match="would unpack to too much data"):
        check_upload(io.BytesIO(data), name="big.xlsx", size=len(data))
    assert no_parsing == []


def test_an_ordinary_workbook_passes_the_checks():
    data = xlsx_bytes([["external_id", "name"]] + [[f"C{i}", "Ann"] for i in range(2000)])
    assert check_upload(io.BytesIO(data), name="ok.xlsx", size=len(data)) == "xlsx"


def test_uploading_a_zip_bomb_shows_a_translated_message_and_stores_nothing(
    client, analyst, no_parsing, settings
):
    # given: the Chinese interface
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(analyst)
    data = inflated_xlsx(shared_strings_bytes=3 * MB)
    # when
    response = client.post(
        reverse("customers:import_list"),
        {"kind": ImportKind.CUSTOMERS, "file": SimpleUploadedFile("客户.xlsx", data)},
    )
    # then
    assert response.status_code == 400
    assert "解压后的数据过多" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert no_parsing == []


def test_the_preview_page_does_not_read_the_file_again(client, analyst, monkeypatch):
    # given: an uploaded workbook
    client.force_login(analyst)
    data = xlsx_bytes([["external_id", "name"]] + [[f"C{i}", f"Name {i}"] for i in range(30)])
    job = import_job_create(
        user=analyst, kind=ImportKind.CUSTOMERS, uploaded_file=SimpleUploadedFile("a.xlsx", data)
    )
    opened = []
    real_open_table = readers_module.open_table
    monkeypatch.setattr(
        "manyi.customers.importing.services.open_table",
        lambda *a, **kw: opened.append(a) or real_open_table(*a, **kw),
    )
    # when: the preview is viewed three times
    for _ in range(3):
        response = client.get(reverse("customers:import_detail", args=[job.pk]))
        assert response.status_code == 200
        assert b"Import 30 rows" in response.content
    # then: it was built once, at upload, and the file was not read again
    assert opened == []
    preview = import_preview(job=ImportJob.objects.get(pk=job.pk))
    assert preview.total_rows == 30
    assert [row.number for row in preview.rows][:3] == [2, 3, 4]
    assert len(preview.rows) == 20
