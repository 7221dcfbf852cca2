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
