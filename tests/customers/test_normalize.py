import pytest

from manyi.customers.choices import ContactKind
from manyi.customers.normalize import contact_error, normalize_contact


@pytest.mark.parametrize(
    ("kind", "raw", "clean"),
    [
        (ContactKind.PHONE, "+86 138-0013-8000", "+8613800138000"),
        (ContactKind.PHONE, "0086 (138) 0013 8000", "+8613800138000"),
        (ContactKind.PHONE, "138\u30000013\u30008000", "13800138000"),
        (ContactKind.EMAIL, "  Li.Wei@Example.COM ", "li.wei@example.com"),
        (
            ContactKind.ADDRESS,
            "上海市  浦东新区\n世纪大道 100 号",
            "上海市 浦东新区 世纪大道 100 号",
        ),
    ],
)
def test_contacts_are_stored_in_one_canonical_form(kind, raw, clean):
    assert normalize_contact(kind, raw) == clean
    assert contact_error(kind, clean) is None


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (ContactKind.PHONE, "call me"),
        (ContactKind.PHONE, "123"),
        (ContactKind.EMAIL, "li@"),
        (ContactKind.EMAIL, ""),
        (ContactKind.ADDRESS, "x" * 256),
    ],
)
def test_unusable_contacts_are_explained(kind, value):
    assert contact_error(kind, value)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("86 13800138000", "+8613800138000"),
        ("021-6123 4567", "02161234567"),  # a Shanghai landline with its area code
        ("+1 415 555 2671", "+14155552671"),  # E.164, United States
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_real_phone_numbers_are_accepted(raw, clean):
    assert normalize_contact(ContactKind.PHONE, raw) == clean
    assert contact_error(ContactKind.PHONE, clean) is None


@pytest.mark.parametrize(
    "raw",
    [
        "12345",  # issue 15: the import accepted it
        "12800138000",  # no mainland operator uses 12x
        "1380013800",  # ten digits
        "138001380001",  # twelve digits
        "+861380013800",  # +86 and a mobile number one digit short
        "+1234",
        "4155552671",  # a foreign number without + and country code
        "+1 415 555 267",
    ],
)
def test_impossible_phone_numbers_are_refused_with_a_hint(raw):
    problem = contact_error(ContactKind.PHONE, normalize_contact(ContactKind.PHONE, raw))
    assert problem and "11-digit mainland mobile number" in problem


@pytest.mark.parametrize("value", ["li@", "li wei@example.com", "li@localhost", "@example.com"])
def test_impossible_email_addresses_are_refused(value):
    assert contact_error(ContactKind.EMAIL, normalize_contact(ContactKind.EMAIL, value))
