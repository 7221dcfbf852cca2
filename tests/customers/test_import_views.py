"""Import pages: upload, preview, confirm, report, error download; who may use them."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from manyi.accounts.choices import Role
from manyi.customers.choices import ImportKind, ImportStatus
from manyi.customers.importing import import_job_create, import_run
from manyi.customers.models import Customer, ImportJob
from tests.customers.test_import_readers import xlsx_bytes
from tests.factories import UserFactory

GOOD_AND_BAD = "external_id,name,email,colour\nC1,Ann,ann@example.com,red\nC2,,nope,blue\n"


def make_job(user, text=GOOD_AND_BAD, name="people.csv"):
    upload = SimpleUploadedFile(name, text.encode())
    return import_job_create(user=user, kind=ImportKind.CUSTOMERS, uploaded_file=upload)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_agents_and_viewers_may_not_import(client, users_by_role, admin_user, role):
    # given
    job = make_job(admin_user)
    client.force_login(users_by_role[role])
    urls = [
        reverse("customers:import_list"),
        reverse("customers:import_detail", args=[job.pk]),
        reverse("customers:import_errors", args=[job.pk]),
        reverse("customers:import_template", args=["customers"]),
    ]
    # then
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("customers:import_detail", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analysts_and_admins_may_import(client, users_by_role, role):
    client.force_login(users_by_role[role])
    response = client.get(reverse("customers:import_list"))
    assert response.status_code == 200
    assert b"Upload a file" in response.content


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("customers:import_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_upload_preview_confirm_report_flow(client, analyst, django_capture_on_commit_callbacks):
    # given
    client.force_login(analyst)
    upload = SimpleUploadedFile("people.csv", GOOD_AND_BAD.encode())
    # when: upload
    response = client.post(
        reverse("customers:import_list"), {"kind": ImportKind.CUSTOMERS, "file": upload}
    )
    # then: the preview, nothing saved yet
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:import_detail", args=[job.pk])
    assert (job.original_name, job.created_by, job.status) == (
        "people.csv",
        analyst,
        ImportStatus.UPLOADED,
    )
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert preview.context["preview"].total_rows == 2
    assert b"colour" in preview.content  # listed as not recognised
    assert "“nope” is not an email address.".encode() in preview.content
    assert b"Import 2 rows" in preview.content
    assert not Customer.objects.exists()
    # when: confirm (the task is queued when the request commits; it runs at once in tests)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("customers:import_detail", args=[job.pk]))
    assert len(callbacks) == 1
    # then: the report
    assert response.status_code == 302
    report = client.get(response["Location"])
    job.refresh_from_db()
    assert (job.status, job.created_count, job.failed_count) == (ImportStatus.DONE, 1, 1)
    assert "preview" not in report.context
    assert b"This value is required." in report.content
    assert reverse("customers:import_errors", args=[job.pk]).encode() in report.content
    assert list(Customer.objects.values_list("external_id", flat=True)) == ["C1"]
    # when: confirmed again (a double click)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("customers:import_detail", args=[job.pk]))
    assert callbacks == []
    # then: nothing more happens
    assert Customer.objects.count() == 1


def test_uploading_an_unusable_file_shows_why(client, analyst):
    client.force_login(analyst)
    for name, data, message in [
        ("notes.pdf", b"%PDF", "Only CSV and Excel (.xlsx) files can be imported."),
        ("empty.csv", b"", "The submitted file is empty."),
        ("fake.xlsx", b"external_id,name\n", "The file is not a valid Excel workbook (.xlsx)."),
    ]:
        upload = SimpleUploadedFile(name, data)
        response = client.post(
            reverse("customers:import_list"), {"kind": ImportKind.CUSTOMERS, "file": upload}
        )
        assert response.status_code == 400
        assert message in response.content.decode(), name
    assert not ImportJob.objects.exists()


def test_uploading_a_too_large_file_shows_the_limit(client, analyst, settings):
    settings.MANYI_IMPORT_MAX_BYTES = 16
    client.force_login(analyst)
    upload = SimpleUploadedFile("big.csv", GOOD_AND_BAD.encode())
    response = client.post(
        reverse("customers:import_list"), {"kind": ImportKind.CUSTOMERS, "file": upload}
    )
    assert response.status_code == 400
    assert "The file is too large" in response.content.decode()


def test_a_preview_of_a_file_with_missing_columns_offers_no_import(client, analyst):
    client.force_login(analyst)
    job = make_job(analyst, "external_id,city\nC1,Shanghai\n")
    response = client.get(reverse("customers:import_detail", args=[job.pk]))
    assert b"Required columns are missing: name." in response.content
    assert b'type="submit" class="primary"' not in response.content


def test_xlsx_upload_flow(client, analyst, django_capture_on_commit_callbacks):
    client.force_login(analyst)
    data = xlsx_bytes([["客户编号", "姓名", "手机"], ["C9", "王五", 13800138000]])
    upload = SimpleUploadedFile("客户.xlsx", data)
    response = client.post(
        reverse("customers:import_list"), {"kind": ImportKind.CUSTOMERS, "file": upload}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"])
    assert Customer.objects.get(external_id="C9").contacts.get().value == "13800138000"


def test_error_download_lists_each_problem_beside_the_original_row(client, analyst):
    # given
    client.force_login(analyst)
    job = import_run(job=make_job(analyst))
    # when
    response = client.get(reverse("customers:import_errors", args=[job.pk]))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"import-{job.pk}-errors.csv" in response["Content-Disposition"]
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [
        ["row", "column", "message", "external_id", "name", "email", "colour"],
        ["3", "name", "This value is required.", "C2", "", "nope", "blue"],
        ["3", "email", "“nope” is not an email address.", "C2", "", "nope", "blue"],
    ]


def test_an_import_is_visible_to_its_creator_and_admins_only(client, analyst, admin_user):
    # given
    job = make_job(analyst)
    other = UserFactory(username="analyst2", role=Role.ANALYST)
    url = reverse("customers:import_detail", args=[job.pk])
    # then
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.get(reverse("customers:import_errors", args=[job.pk])).status_code == 404
    assert job.original_name.encode() not in client.get(reverse("customers:import_list")).content
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    assert job.original_name.encode() in client.get(reverse("customers:import_list")).content


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("customers", "external_id,name,gender,age,birth_year,occupation,region,city"),
        ("purchases", "order_no,customer_id,purchased_at,channel,amount,sku,product"),
        ("interactions", "external_id,customer_id,type,channel,occurred_at,subject"),
    ],
)
def test_template_download_has_the_headers_the_importer_expects(client, analyst, kind, header):
    client.force_login(analyst)
    response = client.get(reverse("customers:import_template", args=[kind]))
    assert response.status_code == 200
    assert f"{kind}-template.csv" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.startswith(header)
    assert text.count("\n") == 1


def test_template_of_an_unknown_kind_is_not_found(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("customers:import_template", args=["orders"])).status_code == 404


def test_a_file_that_cannot_be_imported_is_not_queued(
    client, analyst, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    job = make_job(analyst, "colour\nred\n")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("customers:import_detail", args=[job.pk]), follow=True)
    assert "None of the columns is recognised." in response.content.decode()
    assert callbacks == []
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_a_failed_import_shows_its_message(client, analyst):
    client.force_login(analyst)
    job = import_run(job=make_job(analyst, "colour\nred\n"))
    assert job.status == ImportStatus.FAILED
    response = client.get(reverse("customers:import_detail", args=[job.pk]))
    assert "None of the columns is recognised." in response.content.decode()
