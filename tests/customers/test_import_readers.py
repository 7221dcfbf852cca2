"""Reading uploaded files and parsing cells: encodings, delimiters, Excel cells, values."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from manyi.customers.choices import ImportKind
from manyi.customers.importing import cells
from manyi.customers.importing import rows as parse
from manyi.customers.importing.columns import map_headers
from manyi.customers.importing.readers import (
    FileProblem,
    check_upload,
    excel_cell,
    open_table,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def xlsx_bytes(rows: list[list]) -> bytes:
    """A real workbook made with openpyxl, so no binary fixture is committed."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_all(data: bytes, fmt: str):
    with open_table(io.BytesIO(data), fmt=fmt) as table:
        return table.headers, list(table.rows), table.total_rows


def test_utf8_csv_with_bom_numbers_rows_as_a_spreadsheet_does():
    # given: a blank line between the data rows
    data = "\ufeffexternal_id,name\nC1,Ann\n\nC2,Bo\n".encode()
    # when
    headers, rows, total = read_all(data, "csv")
    # then
    assert headers == ("external_id", "name")
    assert rows == [(2, ["C1", "Ann"]), (4, ["C2", "Bo"])]
    assert total == 2


def test_gb18030_csv_with_chinese_headers_and_semicolons():
    # given: what Chinese Excel saves
    data = "客户编号;姓名;城市\nC1;张三;上海\nC2;李四;北京\n".encode("gb18030")
    # when
    headers, rows, _total = read_all(data, "csv")
    # then
    assert headers == ("客户编号", "姓名", "城市")
    assert rows[1] == (3, ["C2", "李四", "北京"])
    header_map = map_headers(ImportKind.CUSTOMERS, headers)
    assert header_map.positions == {"external_id": 0, "name": 1, "city": 2}


def test_tab_separated_csv():
    headers, rows, _total = read_all(b"order_no\tamount\nO1\t12.50\n", "csv")
    assert headers == ("order_no", "amount")
    assert rows == [(2, ["O1", "12.50"])]


def test_utf16_text_from_excel_unicode_export():
    data = "external_id\tname\nC1\t王五\n".encode("utf-16")
    headers, rows, _total = read_all(data, "csv")
    assert headers == ("external_id", "name")
    assert rows == [(2, ["C1", "王五"])]


def test_a_file_that_is_neither_utf8_nor_gb18030_fails_as_a_whole():
    # given: valid UTF-8 at the start, an impossible byte much further down
    data = b"external_id,name\n" + b"C1,Ann\n" * 200_000 + b"C2,\xff\xff\n"
    # then
    with pytest.raises(FileProblem, match="neither UTF-8 nor GB18030"):
        read_all(data, "csv")


def test_xlsx_date_cell_and_large_integer_phone():
    # given
    data = xlsx_bytes(
        [
            ["external_id", "name", "phone", "since"],
            ["C1", "Ann", 13800138000, dt.datetime(2024, 3, 5, 14, 30)],
            ["C2", "Bo", 13900139000.0, dt.date(2024, 3, 6)],
        ]
    )
    # when
    headers, rows, _total = read_all(data, "xlsx")
    # then
    assert headers == ("external_id", "name", "phone", "since")
    assert rows[0] == (2, ["C1", "Ann", "13800138000", dt.datetime(2024, 3, 5, 14, 30)])
    assert rows[1][1][2] == "13900139000"
    assert rows[1][1][3] == dt.datetime(2024, 3, 6)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (13800138000.0, "13800138000"),
        (1.5, "1.5"),
        (0.1 + 0.2, "0.3"),
        (1e-05, "0.00001"),
        (42, "42"),
        (True, "yes"),
        (None, ""),
        ("  x ", "x"),
    ],
)
def test_excel_cells_become_text_without_float_noise(value, text):
    assert excel_cell(value) == text


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("people.pdf", b"%PDF-1.4", "Only CSV and Excel (.xlsx) files can be imported."),
        ("people.xls", b"\xd0\xcf\x11\xe0", "Old Excel files (.xls) cannot be read"),
        ("people.csv", b"", "The file is empty."),
        ("people.csv", b"\xef\xbb\xbf\r\n\r\n", "The file is empty."),
        ("people.csv", b",,,\n,,\n", "The file has no header row."),
        ("people.xlsx", b"external_id,name\nC1,Ann\n", "not a valid Excel workbook"),
        ("people.xlsx", b"PK\x03\x04 broken zip", "not a valid Excel workbook"),
        ("people.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV text file."),
    ],
)
def test_unusable_uploads_are_rejected_with_a_clear_message(name, data, message):
    file = upload(name, data)
    with pytest.raises(FileProblem) as caught:
        check_upload(file, name=name, size=len(data))
    assert message in caught.value.message


def test_an_xlsx_without_a_header_row_is_rejected():
    data = xlsx_bytes([])
    with pytest.raises(FileProblem, match="no header row"):
        check_upload(upload("a.xlsx", data), name="a.xlsx", size=len(data))


def test_too_large_files_are_rejected(settings):
    settings.MANYI_IMPORT_MAX_BYTES = 10
    data = b"external_id,name\nC1,Ann\n"
    with pytest.raises(FileProblem, match="too large"):
        check_upload(upload("a.csv", data), name="a.csv", size=len(data))


# Cell parsers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05", dt.datetime(2024, 3, 5, tzinfo=SHANGHAI)),
        ("2024/3/5", dt.datetime(2024, 3, 5, tzinfo=SHANGHAI)),
        ("2024-03-05 14:30", dt.datetime(2024, 3, 5, 14, 30, tzinfo=SHANGHAI)),
        ("2024年3月5日", dt.datetime(2024, 3, 5, tzinfo=SHANGHAI)),
        ("2024年3月5日 9:05", dt.datetime(2024, 3, 5, 9, 5, tzinfo=SHANGHAI)),
        ("2024-03-05T06:30:00+00:00", dt.datetime(2024, 3, 5, 14, 30, tzinfo=SHANGHAI)),
        (dt.datetime(2024, 3, 5, 14, 30), dt.datetime(2024, 3, 5, 14, 30, tzinfo=SHANGHAI)),
        (dt.date(2024, 3, 5), dt.datetime(2024, 3, 5, tzinfo=SHANGHAI)),
    ],
)
def test_dates_in_the_forms_people_type_them(raw, expected):
    value = cells.moment(raw)
    assert value == expected
    assert value.tzinfo is not None


@pytest.mark.parametrize("raw", ["abc", "2024-13-05", "5.3.2024", "2024/2/30"])
def test_an_impossible_date_says_how_to_write_one(raw):
    with pytest.raises(cells.Invalid) as caught:
        cells.moment(raw)
    assert str(caught.value) == f"“{raw}” is not a valid date. Use YYYY-MM-DD."


@pytest.mark.parametrize("raw", ["complaint", "Complaint", "COMPLAINT", "投诉"])
def test_choices_accept_code_english_label_and_chinese_label(raw):
    assert parse.PARSERS[ImportKind.INTERACTIONS]["kind"](raw) == "complaint"


@pytest.mark.parametrize(
    ("raw", "expected"), [("男", "male"), ("女", "female"), ("M", "male"), ("f", "female")]
)
def test_gender_accepts_chinese_and_letters(raw, expected):
    assert parse.PARSERS[ImportKind.CUSTOMERS]["gender"](raw) == expected


def test_chinese_choice_names_work_whatever_the_ui_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert parse.PARSERS[ImportKind.INTERACTIONS]["channel"]("Phone") == "phone"
        assert parse.PARSERS[ImportKind.INTERACTIONS]["channel"]("电话") == "phone"


@pytest.mark.parametrize(
    ("raw", "expected"), [("是", True), ("否", False), ("Yes", True), ("0", False)]
)
def test_yes_no_values(raw, expected):
    assert cells.boolean(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("12.5", Decimal("12.50")), ("¥1,299.00", Decimal("1299.00"))]
)
def test_money(raw, expected):
    assert cells.money(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-3", "“-3” is negative; amounts must be 0 or more."),
        ("abc", "“abc” is not a number."),
        ("12,50", "“12,50” is not a number."),
    ],
)
def test_bad_money_is_rejected(raw, message):
    with pytest.raises(cells.Invalid, match=message):
        cells.money(raw)


def test_tags_split_on_western_and_chinese_separators():
    assert cells.tags("vip, 新客、复购；vip") == ["vip", "新客", "复购"]


def test_a_row_with_several_problems_reports_all_of_them():
    # given
    headers = ("external_id", "name", "gender", "email", "birth_year")
    header_map = map_headers(ImportKind.CUSTOMERS, headers)
    # when
    row = parse.parse_row(ImportKind.CUSTOMERS, header_map, 7, ["C1", "", "x", "nope", "1800"])
    # then
    assert [e.as_dict() for e in row.errors] == [
        {"row": 7, "column": "name", "message": "This value is required."},
        {
            "row": 7,
            "column": "gender",
            "message": "“x” is not one of the allowed values: female, male, other, unknown.",
        },
        {"row": 7, "column": "email", "message": "“nope” is not an email address."},
        {"row": 7, "column": "birth_year", "message": "“1800” is not a plausible birth year."},
    ]


def test_headers_match_case_and_spacing_insensitively_and_report_the_rest():
    header_map = map_headers(ImportKind.CUSTOMERS, (" Customer ID ", "NAME", "Favourite colour"))
    assert header_map.positions == {"external_id": 0, "name": 1}
    assert header_map.unrecognised == ("Favourite colour",)
    assert header_map.missing == ()


def test_missing_required_columns_are_named():
    header_map = map_headers(ImportKind.PURCHASES, ("order_no", "amount"))
    assert [c.header for c in header_map.missing] == ["customer_id", "purchased_at"]
