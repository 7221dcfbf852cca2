"""Issue 15, item 10: a phone number or e-mail address nobody can reach is refused wherever it
comes in (the customer form, Django's admin, CSV and Excel imports), with a message in the
user's language; a usable one is stored in one canonical form and found by search however it
was typed."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from manyi.customers.admin import ContactPointInline
from manyi.customers.choices import ContactKind, ImportKind, ImportStatus
from manyi.customers.models import ContactPoint, Customer
from manyi.customers.normalize import contact_error, normalize_contact, phone_search_digits
from tests.customers.test_import_readers import xlsx_bytes
from tests.customers.test_import_services import counts, run_import
from tests.factories import ContactPointFactory, CustomerFactory

PHONE_ZH = "不是有效的电话号码"
EMAIL_ZH = "不是电子邮件地址"


@pytest.mark.parametrize(
    ("kind", "raw", "clean"),
    [
        # full-width, as a Chinese input method types them
        (ContactKind.PHONE, "１３８ ００１３ ８０００", "13800138000"),
        (ContactKind.PHONE, "＋８６ １３８－００１３－８０００", "+8613800138000"),
        (ContactKind.PHONE, "138—0013—8000", "13800138000"),
        (ContactKind.EMAIL, "ｌｉ．ｗｅｉ＠ｅｘａｍｐｌｅ．ｃｎ", "li.wei@example.cn"),
    ],
)
def test_full_width_contacts_are_stored_in_ascii(kind, raw, clean):
    assert normalize_contact(kind, raw) == clean
    assert contact_error(kind, clean) is None


def test_digits_of_other_scripts_are_not_a_phone_number():
    value = normalize_contact(ContactKind.PHONE, "١٣٨٠٠١٣٨٠٠٠")  # Arabic-Indic digits
    assert contact_error(ContactKind.PHONE, value)


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("+86 138 0013 8000", "13800138000"),
        ("0086-138-0013-8000", "13800138000"),
        ("13800138000", "13800138000"),
        ("+1 415 555 2671", "+14155552671"),
        ("0138", "0138"),  # part of a number
    ],
)
def test_a_mainland_mobile_is_searched_by_its_eleven_digits(typed, digits):
    assert phone_search_digits(typed) == digits


@pytest.mark.parametrize("query", ["+86 138-0013-8000", "１３８００１３８０００", "138-0013"])
def test_search_finds_a_mobile_number_however_it_was_typed(client, analyst, query):
    bare = CustomerFactory(name="李伟")
    ContactPointFactory(customer=bare, kind="phone", value="13800138000")
    prefixed = CustomerFactory(name="王芳")
    ContactPointFactory(customer=prefixed, kind="phone", value="+8613800138000")
    CustomerFactory(name="张强")
    client.force_login(analyst)
    response = client.get(reverse("customers:list"), {"q": query})
    assert {c.name for c in response.context["page"]} == {"李伟", "王芳"}


def _edit_post(customer, contact, value):
    return {
        "name": customer.name,
        "external_id": "",
        "gender": "unknown",
        "language": "zh-hans",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "1",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-id": str(contact.pk),
        "contacts-0-kind": contact.kind,
        "contacts-0-value": value,
        "contacts-0-is_primary": "on",
    }


@pytest.mark.parametrize(
    ("kind", "stored", "typed", "message"),
    [
        ("phone", "13800138000", "12345", PHONE_ZH),
        ("phone", "13800138000", "+86 138 0013 800", PHONE_ZH),
        ("email", "li@example.com", "li@example", EMAIL_ZH),
        ("email", "li@example.com", "li wei@example.com", EMAIL_ZH),
    ],
)
def test_editing_a_customer_refuses_a_bad_contact_in_chinese(
    client, admin_user, kind, stored, typed, message
):
    customer = CustomerFactory(name="李伟")
    contact = ContactPointFactory(customer=customer, kind=kind, value=stored)
    client.force_login(admin_user)  # sees contacts in full: for others they are locked
    response = client.post(
        reverse("customers:edit", args=[customer.pk]),
        _edit_post(customer, contact, typed),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and typed.split()[0] in page
    contact.refresh_from_db()
    assert contact.value == stored


def test_editing_a_customer_stores_the_canonical_contact(client, admin_user):
    customer = CustomerFactory(name="李伟")
    contact = ContactPointFactory(customer=customer, kind="phone", value="13800138000")
    client.force_login(admin_user)
    response = client.post(
        reverse("customers:edit", args=[customer.pk]),
        _edit_post(customer, contact, "１３９ ００１３ ９０００"),
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.value == "13900139000"


def test_the_admin_checks_contacts_like_the_customer_pages(admin_user):
    # given: the contacts inline of the customer in Django's admin
    customer = CustomerFactory()
    request = RequestFactory().post("/")
    request.user = admin_user
    formset_class = ContactPointInline(Customer, admin.site).get_formset(request, customer)
    prefix = formset_class.get_default_prefix()

    def post(value):
        data = {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-kind": "phone",
            f"{prefix}-0-value": value,
            f"{prefix}-0-label": "",
        }
        return formset_class(data, instance=customer, prefix=prefix)

    # when / then: an impossible number is refused, a real one saved in its canonical form
    with translation.override("zh-hans"):
        refused = post("12345")
        assert not refused.is_valid()
        assert PHONE_ZH in str(refused.errors)
    accepted = post("+86 138-0013-8000")
    assert accepted.is_valid(), accepted.errors
    accepted.save()
    assert customer.contacts.get().value == "+8613800138000"


# Imports: a bad contact is the row's error, the row is not imported, and the message is in the
# uploader's language, for CSV and Excel alike.
CSV_ROWS = (
    "客户ID,客户名称,手机,邮箱\n"
    "C1,李伟,12345,li@example.com\n"
    "C2,王芳,13900139000,wang@\n"
    "C3,张强,１３７ ００１３ ７０００,zhang@example.cn\n"
    "C4,赵敏,+44 20 7946 0958,\n"
)
XLSX_ROWS = [
    ["客户ID", "客户名称", "手机", "邮箱"],
    ["C1", "李伟", 12345, "li@example.com"],
    ["C2", "王芳", 13900139000, "wang@"],
    ["C3", "张强", 13700137000, "zhang@example.cn"],
    ["C4", "赵敏", "+44 20 7946 0958", None],
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_import_refuses_rows_with_bad_contacts_in_chinese(admin_user, fmt):
    # given: a file with an impossible phone number and an impossible e-mail address
    with translation.override("zh-hans"):
        if fmt == "csv":
            job = run_import(admin_user, ImportKind.CUSTOMERS, CSV_ROWS, name="客户.csv")
        else:
            data = xlsx_bytes(XLSX_ROWS)
            job = run_import(admin_user, ImportKind.CUSTOMERS, data=data, name="客户.xlsx")
    # then: those two rows are errors, explained in Chinese; the other rows are imported
    assert counts(job) == (ImportStatus.DONE, 4, 2, 0, 2)
    errors = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert set(errors) == {(2, "手机"), (3, "邮箱")}
    assert errors[(2, "手机")].startswith("“12345”" + PHONE_ZH)
    assert errors[(3, "邮箱")] == "“wang@”不是电子邮件地址。"
    assert set(Customer.objects.values_list("external_id", flat=True)) == {"C3", "C4"}
    assert set(ContactPoint.objects.values_list("kind", "value")) == {
        ("phone", "13700137000"),
        ("email", "zhang@example.cn"),
        ("phone", "+442079460958"),
    }
