"""Import services: what is saved, what fails and why, and re-imports that never duplicate."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from manyi.customers.choices import ImportKind, ImportStatus
from manyi.customers.importing import import_job_create, import_preview, import_run
from manyi.customers.importing.customers import CustomerImporter
from manyi.customers.models import (
    ContactPoint,
    Customer,
    CustomerQuerySet,
    Interaction,
    Product,
    Purchase,
    PurchaseItem,
)
from tests.customers.test_import_readers import xlsx_bytes
from tests.factories import (
    ContactPointFactory,
    CustomerFactory,
    InteractionFactory,
    ProductFactory,
    UserFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def run_import(user, kind, text=None, *, data=None, name="data.csv"):
    data = data if data is not None else text.encode()
    job = import_job_create(user=user, kind=kind, uploaded_file=SimpleUploadedFile(name, data))
    return import_run(job=job)


def counts(job):
    return job.status, job.total_rows, job.created_count, job.updated_count, job.failed_count


# Customers

CUSTOMERS = """external_id,name,gender,age,phone,email,tags,segment,team,consent_sms
C1,Ann Lee,female,40,+86 138-0013-8000,Ann@Example.com,"vip, new",Gold,East,yes
C2,,robot,abc,12,not-mail,,,Nowhere,maybe
C3,Bo Wang,男,,13900139000,,,,,
"""


def test_good_rows_are_saved_and_bad_rows_reported_with_reasons(admin_user, team_east):
    # when
    job = run_import(admin_user, ImportKind.CUSTOMERS, CUSTOMERS)
    # then
    assert counts(job) == (ImportStatus.DONE, 3, 2, 0, 1)
    assert job.errors == [
        {"row": 3, "column": "name", "message": "This value is required."},
        {
            "row": 3,
            "column": "gender",
            "message": "“robot” is not one of the allowed values: female, male, other, unknown.",
        },
        {"row": 3, "column": "age", "message": "“abc” is not a number."},
        {
            "row": 3,
            "column": "phone",
            "message": "“12” is not a phone number: enter an 11-digit mainland mobile number,"
            " or an international number with + and the country code.",
        },
        {"row": 3, "column": "email", "message": "“not-mail” is not an email address."},
        {"row": 3, "column": "consent_sms", "message": "“maybe” is not yes or no."},
        {"row": 3, "column": "team", "message": "There is no team called “Nowhere”."},
    ]
    ann = Customer.objects.get(external_id="C1")
    assert (ann.name, ann.gender, ann.team, ann.segment.name) == (
        "Ann Lee",
        "female",
        team_east,
        "Gold",
    )
    assert ann.consent_sms is True
    assert ann.birth_year == dt.date.today().year - 40
    assert sorted(ann.tags.values_list("name", flat=True)) == ["new", "vip"]
    assert set(ann.contacts.values_list("kind", "value", "is_primary")) == {
        ("phone", "+8613800138000", True),
        ("email", "ann@example.com", True),
    }
    assert Customer.objects.get(external_id="C3").gender == "male"
    assert not Customer.objects.filter(external_id="C2").exists()


def test_reimporting_the_same_file_updates_and_never_duplicates(admin_user, team_east):
    # given
    run_import(admin_user, ImportKind.CUSTOMERS, CUSTOMERS)
    # when
    job = run_import(admin_user, ImportKind.CUSTOMERS, CUSTOMERS)
    # then
    assert counts(job) == (ImportStatus.DONE, 3, 0, 2, 1)
    assert Customer.objects.count() == 2
    assert ContactPoint.objects.count() == 3
    assert Customer.objects.get(external_id="C1").tags.count() == 2


def test_a_duplicated_row_within_a_file_last_one_wins(admin_user):
    text = "external_id,name,city\nC1,First,Shanghai\nC1,Second,Beijing\n"
    job = run_import(admin_user, ImportKind.CUSTOMERS, text)
    assert counts(job) == (ImportStatus.DONE, 2, 1, 0, 0)
    customer = Customer.objects.get()
    assert (customer.name, customer.city) == ("Second", "Beijing")


def test_an_update_keeps_what_empty_cells_do_not_give(admin_user):
    # given
    customer = CustomerFactory(external_id="C1", name="Old", occupation="Teacher", city="Suzhou")
    # when
    job = run_import(admin_user, ImportKind.CUSTOMERS, "external_id,name,occupation\nC1,New,\n")
    # then
    assert counts(job) == (ImportStatus.DONE, 1, 0, 1, 0)
    customer.refresh_from_db()
    assert (customer.name, customer.occupation, customer.city) == ("New", "Teacher", "Suzhou")


def test_an_imported_contact_is_added_and_becomes_primary(admin_user):
    # given
    customer = CustomerFactory(external_id="C1")
    old = ContactPointFactory(customer=customer, kind="phone", value="13800000001", is_primary=True)
    # when
    run_import(admin_user, ImportKind.CUSTOMERS, "external_id,name,phone\nC1,Ann,13800000002\n")
    # then
    old.refresh_from_db()
    assert old.is_primary is False
    assert customer.contacts.get(value="13800000002").is_primary is True


def test_gb18030_csv_with_chinese_headers(admin_user):
    text = "客户编号,姓名,性别,手机号,标签,地区\nK001,张三,男,13800138000,老客户、高价值,浙江\n"
    job = run_import(admin_user, ImportKind.CUSTOMERS, data=text.encode("gb18030"))
    assert counts(job) == (ImportStatus.DONE, 1, 1, 0, 0)
    customer = Customer.objects.get(external_id="K001")
    assert (customer.name, customer.gender, customer.region) == ("张三", "male", "浙江")
    assert sorted(customer.tags.values_list("name", flat=True)) == ["老客户", "高价值"]


def test_impossible_contacts_are_row_errors_on_import(admin_user):
    # issue 15: "12345" was imported as a phone number
    text = (
        "external_id,name,phone,email\n"
        "P1,Ann,12345,ann@example.com\n"
        "P2,Bo,+1 415 555 2671,bo@localhost\n"
        "P3,Cai,8613900139000,cai@example.cn\n"
    )
    job = run_import(admin_user, ImportKind.CUSTOMERS, text)
    assert counts(job) == (ImportStatus.DONE, 3, 1, 0, 2)
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "phone"), (3, "email")]
    assert not Customer.objects.filter(external_id__in=["P1", "P2"]).exists()
    cai = Customer.objects.get(external_id="P3")
    assert set(cai.contacts.values_list("kind", "value")) == {
        ("phone", "+8613900139000"),
        ("email", "cai@example.cn"),
    }
    # the same rule in a bad xlsx cell: a number that is too short
    data = xlsx_bytes([["客户ID", "客户名称", "手机"], ["X1", "李四", 1380013800]])
    job = run_import(admin_user, ImportKind.CUSTOMERS, data=data, name="客户.xlsx")
    assert counts(job) == (ImportStatus.DONE, 1, 0, 0, 1)


def test_xlsx_with_a_date_cell_and_a_large_integer_phone(admin_user):
    # given: numbers as Excel stores them
    data = xlsx_bytes(
        [
            ["客户ID", "客户名称", "手机", "出生年份"],
            [10086, "李四", 13800138000, 1990.0],
        ]
    )
    job = run_import(admin_user, ImportKind.CUSTOMERS, data=data, name="客户.xlsx")
    assert counts(job) == (ImportStatus.DONE, 1, 1, 0, 0)
    customer = Customer.objects.get(external_id="10086")
    assert customer.birth_year == 1990
    assert customer.contacts.get().value == "13800138000"


def test_a_chunk_the_database_refuses_is_redone_row_by_row(admin_user, monkeypatch):
    # given: the database refuses one record (as a concurrent writer would make it)
    original = CustomerImporter.save

    def refusing(self, rows):
        if any(row.values["external_id"] == "C2" for row in rows):
            raise IntegrityError("duplicate key value violates unique constraint")
        return original(self, rows)

    monkeypatch.setattr(CustomerImporter, "save", refusing)
    # when
    job = run_import(admin_user, ImportKind.CUSTOMERS, "external_id,name\nC1,A\nC2,B\nC3,C\n")
    # then
    assert counts(job) == (ImportStatus.DONE, 3, 2, 0, 1)
    assert job.errors == [
        {
            "row": 3,
            "column": "",
            "message": "This row could not be saved: "
            "duplicate key value violates unique constraint",
        }
    ]
    assert set(Customer.objects.values_list("external_id", flat=True)) == {"C1", "C3"}


def test_a_real_constraint_violation_fails_only_its_own_row(admin_user, monkeypatch):
    # given: C2 exists, but the look-up misses it (as if another writer had just added it)
    CustomerFactory(external_id="C2", name="Already here")
    original = CustomerQuerySet.in_bulk

    def missing_c2(self, id_list=None, *, field_name="pk"):
        found = original(self, id_list, field_name=field_name)
        found.pop("C2", None)
        return found

    monkeypatch.setattr(CustomerQuerySet, "in_bulk", missing_c2)
    # when
    job = run_import(admin_user, ImportKind.CUSTOMERS, "external_id,name\nC1,A\nC2,B\nC3,C\n")
    # then
    assert counts(job) == (ImportStatus.DONE, 3, 2, 0, 1)
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "")]
    assert job.errors[0]["message"].startswith("This row could not be saved: ")
    assert Customer.objects.get(external_id="C2").name == "Already here"
    assert Customer.objects.count() == 3


def test_rows_are_imported_in_chunks(admin_user, settings):
    settings.MANYI_IMPORT_BATCH_ROWS = 2
    lines = "".join(f"C{i},Name {i}\n" for i in range(5))
    job = run_import(admin_user, ImportKind.CUSTOMERS, "external_id,name\n" + lines + "C0,Again\n")
    assert counts(job) == (ImportStatus.DONE, 6, 5, 1, 0)
    assert Customer.objects.get(external_id="C0").name == "Again"


# Whole-file problems


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour,size\nred,L\n", "None of the columns is recognised."),
        ("external_id,city\nC1,Shanghai\n", "Required columns are missing: name."),
    ],
)
def test_a_file_problem_fails_the_job_and_imports_nothing(admin_user, text, message):
    job = run_import(admin_user, ImportKind.CUSTOMERS, text)
    assert job.status == ImportStatus.FAILED
    assert message in job.message
    assert Customer.objects.count() == 0


def test_an_undecodable_file_fails_before_anything_is_saved(admin_user):
    # given: the start of the file (all the upload check reads) is fine
    data = b"external_id,name\n" + b"C1,Ann\n" * 200_000 + b"C2,\xff\xfe\xff\n"
    job = run_import(admin_user, ImportKind.CUSTOMERS, data=data)
    assert job.status == ImportStatus.FAILED
    assert "neither UTF-8 nor GB18030" in job.message
    assert Customer.objects.count() == 0


def test_running_a_finished_job_again_does_nothing(admin_user):
    job = run_import(admin_user, ImportKind.CUSTOMERS, "external_id,name\nC1,Ann\n")
    Customer.objects.all().delete()
    again = import_run(job=job)
    assert again.status == ImportStatus.DONE
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.docx", b"hello", "Only CSV and Excel (.xlsx) files can be imported."),
        ("a.csv", b"", "The file is empty."),
        ("a.xlsx", b"not a zip", "The file is not a valid Excel workbook (.xlsx)."),
    ],
)
def test_job_create_refuses_unusable_files(admin_user, name, data, message):
    with pytest.raises(ValidationError) as caught:
        import_job_create(
            user=admin_user, kind=ImportKind.CUSTOMERS, uploaded_file=SimpleUploadedFile(name, data)
        )
    assert caught.value.messages == [message]


def test_job_create_refuses_too_large_files(admin_user, settings):
    settings.MANYI_IMPORT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("a.csv", b"external_id,name\n" + b"C1,Ann\n" * 500)
    with pytest.raises(ValidationError, match="too large"):
        import_job_create(user=admin_user, kind=ImportKind.CUSTOMERS, uploaded_file=upload)


# Preview


def test_preview_maps_columns_and_parses_the_first_rows_without_writing(
    admin_user, django_assert_max_num_queries
):
    # given
    text = "客户编号,姓名,性别,favourite\nC1,Ann,女,blue\nC2,Bo,x,red\nC3,Cy,,green\n"
    job = import_job_create(
        user=admin_user,
        kind=ImportKind.CUSTOMERS,
        uploaded_file=SimpleUploadedFile("a.csv", text.encode()),
    )
    # when
    preview = import_preview(job=job, limit=2)
    # then
    assert [(c.header, c.field) for c in preview.columns] == [
        ("客户编号", "external_id"),
        ("姓名", "name"),
        ("性别", "gender"),
    ]
    assert preview.unrecognised == ("favourite",)
    assert preview.missing == ()
    assert preview.total_rows == 3
    assert [row.number for row in preview.rows] == [2, 3]
    assert preview.rows[0].values == ("C1", "Ann", "Female")
    assert preview.rows[1].values == ("C2", "Bo", "x")  # as written, beside its error
    assert [e.message for e in preview.rows[1].errors] == [
        "“x” is not one of the allowed values: female, male, other, unknown."
    ]
    assert preview.can_import
    assert Customer.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_preview_names_missing_required_columns(admin_user):
    job = import_job_create(
        user=admin_user,
        kind=ImportKind.PURCHASES,
        uploaded_file=SimpleUploadedFile("p.csv", b"order_no,amount\nO1,10\n"),
    )
    preview = import_preview(job=job)
    assert preview.missing == ("customer_id", "purchased_at")
    assert not preview.can_import
    assert "customer_id, purchased_at" in preview.problem


# Purchases

PURCHASES = """\
order_no,customer_id,purchased_at,channel,sku,product,category,quantity,unit_price,amount
O1,C1,2024-03-05 14:30,门店,SKU-1,Kettle,Kitchen,2,99.50,
O1,C1,2024-03-05 14:30,门店,SKU-NEW,Toaster,Kitchen,1,150,
O2,C1,2024/3/6,app,,,,,,88
O3,NOBODY,2024-03-07,app,,,,,,10
"""


def test_purchase_lines_with_one_order_number_form_one_order(admin_user):
    # given
    CustomerFactory(external_id="C1")
    ProductFactory(sku="SKU-1", name="Kettle", price=Decimal("120.00"))
    # when
    job = run_import(admin_user, ImportKind.PURCHASES, PURCHASES)
    # then
    assert counts(job) == (ImportStatus.DONE, 4, 2, 0, 1)
    assert job.errors == [
        {"row": 5, "column": "customer_id", "message": "There is no customer with the ID “NOBODY”."}
    ]
    order = Purchase.objects.get(external_id="O1")
    assert order.channel == "retail_store"
    assert order.purchased_at == dt.datetime(2024, 3, 5, 14, 30, tzinfo=SHANGHAI)
    assert order.amount == Decimal("349.00")
    assert sorted(order.items.values_list("product__sku", "quantity", "unit_price")) == [
        ("SKU-1", 2, Decimal("99.50")),
        ("SKU-NEW", 1, Decimal("150.00")),
    ]
    assert Product.objects.get(sku="SKU-NEW").name == "Toaster"
    assert Purchase.objects.get(external_id="O2").amount == Decimal("88.00")


def test_purchases_from_xlsx_with_date_cells_and_numeric_ids(admin_user):
    # given: Excel's own types: a date cell, numbers for IDs and money
    CustomerFactory(external_id="20240001")
    data = xlsx_bytes(
        [
            ["订单号", "客户编号", "下单时间", "金额", "送达时间"],
            [900001, 20240001, dt.datetime(2024, 3, 5, 14, 30), 1299.5, dt.date(2024, 3, 8)],
        ]
    )
    # when
    job = run_import(admin_user, ImportKind.PURCHASES, data=data, name="订单.xlsx")
    # then
    assert counts(job) == (ImportStatus.DONE, 1, 1, 0, 0)
    order = Purchase.objects.get(external_id="900001")
    assert order.customer.external_id == "20240001"
    assert order.purchased_at == dt.datetime(2024, 3, 5, 14, 30, tzinfo=SHANGHAI)
    assert order.delivered_at == dt.datetime(2024, 3, 8, tzinfo=SHANGHAI)
    assert order.amount == Decimal("1299.50")


def test_reimporting_purchases_replaces_items_and_never_duplicates(admin_user):
    # given
    CustomerFactory(external_id="C1")
    run_import(admin_user, ImportKind.PURCHASES, PURCHASES)
    # when
    job = run_import(admin_user, ImportKind.PURCHASES, PURCHASES)
    # then
    assert counts(job) == (ImportStatus.DONE, 4, 0, 2, 1)
    assert Purchase.objects.count() == 2
    assert PurchaseItem.objects.count() == 2
    assert Product.objects.filter(sku="SKU-NEW").count() == 1


def test_one_bad_line_fails_its_whole_order(admin_user):
    CustomerFactory(external_id="C1")
    text = (
        "order_no,customer_id,purchased_at,sku,product,quantity,unit_price\n"
        "O1,C1,2024-03-05,S1,Pen,1,5\n"
        "O1,C1,2024-03-05,S2,Ink,0,-1\n"
    )
    job = run_import(admin_user, ImportKind.PURCHASES, text)
    assert counts(job) == (ImportStatus.DONE, 2, 0, 0, 2)
    assert job.errors == [
        {
            "row": 2,
            "column": "",
            "message": "Order “O1” was not imported because row 3 has errors.",
        },
        {"row": 3, "column": "quantity", "message": "The quantity must be at least 1."},
        {
            "row": 3,
            "column": "unit_price",
            "message": "“-1” is negative; amounts must be 0 or more.",
        },
    ]
    assert not Purchase.objects.exists()


def test_an_unknown_sku_without_a_product_name_fails(admin_user):
    CustomerFactory(external_id="C1")
    text = "order_no,customer_id,purchased_at,sku,unit_price\nO1,C1,2024-03-05,S9,5\n"
    job = run_import(admin_user, ImportKind.PURCHASES, text)
    assert job.errors == [
        {
            "row": 2,
            "column": "product",
            "message": "There is no product with the SKU “S9”; give its name to create it.",
        }
    ]


def test_lines_of_an_order_split_across_chunks_are_all_kept(admin_user, settings):
    # given: chunks of 1 row, and the order's lines not next to each other
    settings.MANYI_IMPORT_BATCH_ROWS = 1
    CustomerFactory(external_id="C1")
    text = (
        "order_no,customer_id,purchased_at,sku,product,quantity,unit_price\n"
        "O1,C1,2024-03-05,S1,Pen,1,5\n"
        "O2,C1,2024-03-05,S1,Pen,1,5\n"
        "O1,C1,2024-03-05,S2,Ink,2,3\n"
    )
    # when
    job = run_import(admin_user, ImportKind.PURCHASES, text)
    # then
    assert job.failed_count == 0
    order = Purchase.objects.get(external_id="O1")
    assert order.items.count() == 2
    assert order.amount == Decimal("11.00")


# Interactions

INTERACTIONS = """customer_id,类型,渠道,时间,主题,内容,结果,处理人,关闭时间
C1,投诉,电话,2024年3月5日 10:00,Late delivery,A week late,已解决,agent_east,2024-03-05 12:00
C1,Inquiry,email,2024-03-06,Opening hours,,,nobody@example.com,
C1,praise,web,2024-03-07 09:00,Thanks,,,,2024-03-06
"""


def test_interactions_get_a_stable_derived_id_and_reimport_without_duplicates(
    admin_user, agent, team_east
):
    # given
    CustomerFactory(external_id="C1")
    # when
    first = run_import(admin_user, ImportKind.INTERACTIONS, INTERACTIONS)
    second = run_import(admin_user, ImportKind.INTERACTIONS, INTERACTIONS)
    # then
    assert counts(first) == (ImportStatus.DONE, 3, 1, 0, 2)
    assert counts(second) == (ImportStatus.DONE, 3, 0, 1, 2)
    assert first.errors == [
        {
            "row": 3,
            "column": "处理人",
            "message": "There is no user with the user name or email “nobody@example.com”.",
        },
        {
            "row": 4,
            "column": "关闭时间",
            "message": "The closing time is before the time of the interaction.",
        },
    ]
    interaction = Interaction.objects.get()
    assert interaction.external_id.startswith("auto-")
    assert len(interaction.external_id) == len("auto-") + 24
    assert (interaction.kind, interaction.channel, interaction.outcome) == (
        "complaint",
        "phone",
        "resolved",
    )
    assert interaction.handled_by == agent
    assert interaction.team == team_east  # the handler's team


def test_interactions_handled_by_email_and_explicit_ids(admin_user):
    CustomerFactory(external_id="C1")
    user = UserFactory(username="li", email="Li@Example.com")
    text = (
        "interaction_id,customer_id,type,channel,occurred_at,handled_by\n"
        "I-1,C1,visit,in_person,2024-01-02,li@example.com\n"
    )
    job = run_import(admin_user, ImportKind.INTERACTIONS, text)
    assert counts(job) == (ImportStatus.DONE, 1, 1, 0, 0)
    assert Interaction.objects.get(external_id="I-1").handled_by == user


def test_a_hand_entered_interaction_is_recognised_instead_of_duplicated(admin_user):
    # given: an interaction typed in the web form (no external ID)
    customer = CustomerFactory(external_id="C1")
    at = dt.datetime(2024, 3, 5, 10, 0, tzinfo=SHANGHAI)
    InteractionFactory(
        customer=customer, kind="inquiry", channel="phone", subject="Hi", content="", occurred_at=at
    )
    text = "customer_id,type,channel,occurred_at,subject\nC1,inquiry,phone,2024-03-05 10:00,Hi\n"
    # when
    job = run_import(admin_user, ImportKind.INTERACTIONS, text)
    # then
    assert counts(job) == (ImportStatus.DONE, 1, 0, 1, 0)
    assert Interaction.objects.get().external_id.startswith("auto-")
