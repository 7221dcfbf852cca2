"""Masked contact details (pure functions): enough to recognise, never enough to use."""

import pytest

from manyi.privacy.masking import (
    mask_address,
    mask_contact,
    mask_email,
    mask_phone,
    mask_text,
    mask_text_token,
)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        # Chinese mobiles, however typed
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+8613812345678", "+86 138****5678"),
        ("+86 138-1234-5678", "+86 138****5678"),
        ("0086 13812345678", "+86 138****5678"),
        # landlines with an area code
        ("010-62345678", "010****5678"),
        ("0755-1234567", "075****4567"),
        ("62345678", "623****78"),
        # E.164 elsewhere
        ("+14155552671", "+1 415****2671"),
        ("+442071838750", "+44 207****8750"),
        # short strings: at most the last 2 digits
        ("12345", "****45"),
        ("1234", "****"),
        ("+123", "+****"),
        ("abc", "****"),
        ("", ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    "value", ["13812345678", "+8613812345678", "010-62345678", "+14155552671", "62345678"]
)
def test_a_masked_phone_hides_at_least_three_digits(value):
    digits = "".join(ch for ch in value if ch.isdigit())
    shown = "".join(ch for ch in mask_phone(value) if ch.isdigit())
    assert len(digits) - len(shown) >= 3
    assert "****" in mask_phone(value)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("zhang@example.com", "z***@example.com"),
        ("Zhang.Wei+shop@mail.example.cn", "Z***@mail.example.cn"),
        ("z@example.com", "***@example.com"),
        ("a@b@example.com", "a***@example.com"),
        ("not-an-email", "no****il"),
        ("", ""),
    ],
)
def test_mask_email(value, masked):
    assert mask_email(value) == masked


def test_mask_address_keeps_only_the_beginning():
    assert mask_address("北京市朝阳区建国路88号院3号楼") == "北京市朝阳****"
    assert mask_address("上海") == "****"
    assert mask_address("") == ""


def test_mask_text_token():
    assert mask_text_token("wxid_abcdef12") == "wx****12"
    assert mask_text_token("short") == "****"


def test_mask_contact_dispatches_on_the_kind():
    assert mask_contact("phone", "13812345678") == "138****5678"
    assert mask_contact("sms", "13812345678") == "138****5678"  # an invitation's channel
    assert mask_contact("email", "zhang@example.com") == "z***@example.com"
    assert mask_contact("messaging", "wxid_abcdef12") == "wx****12"
    assert mask_contact("unknown-kind", "anything-long") == "an****ng"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("请打 138 1234 5678 或 zhang.wei@example.com", "请打 138****5678 或 z***@example.com"),
        ("电话13812345678谢谢", "电话138****5678谢谢"),
        ("call +44 20 7183 8750 or 010-62345678", "call +44 207****8750 or 010****5678"),
        # dates, amounts, order numbers and ids stay as they are
        ("订单 202612051234567 于 2026-12-05 金额 1380.00", None),
        ("SKU A13812345678", None),
        ("", None),
    ],
)
def test_mask_text_hides_contact_details_in_free_text(text, masked):
    assert mask_text(text) == (text if masked is None else masked)
