"""Parse one row of cells into typed values, with a specific message for every bad cell.

Pure: nothing here reads the database, so a row parses the same in the preview and in the
import. An empty cell means "not given": the value is left out, so an update keeps what the
record already has. Text that an export neutralised against spreadsheet formulas ('=..., '+...)
loses that one apostrophe again, so exported files import unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.core.tabular import spreadsheet_text_read
from manyi.privacy.masking import is_masked

from ..choices import (
    Channel,
    ContactKind,
    Gender,
    ImportKind,
    InteractionKind,
    Outcome,
    PurchaseChannel,
)
from .cells import (
    Invalid,
    boolean,
    choice,
    contact,
    language,
    moment,
    money,
    tags,
    text,
    whole_number,
)
from .columns import HeaderMap
from .readers import Cell


def _aliases(**codes: tuple[str, ...]) -> dict[str, str]:
    return {alias: code for code, aliases in codes.items() for alias in aliases}


# Chinese names of choice values, accepted whatever language the user interface is in.
CHINESE_CHOICES: dict[str, dict[str, str]] = {
    # M and F are no Chinese, but as common in Chinese files as 男 and 女.
    "gender": _aliases(
        male=("男", "男性", "m"), female=("女", "女性", "f"), other=("其他",), unknown=("未知",)
    ),
    "purchase_channel": _aliases(
        online_store=("网店", "线上商城", "官网", "官方商城"),
        app=("应用", "手机应用", "小程序"),
        marketplace=("电商平台", "第三方平台"),
        retail_store=("门店", "零售店", "实体店"),
        phone=("电话订购", "电话"),
        dealer=("经销商",),
        other=("其他",),
    ),
    "interaction_kind": _aliases(
        inquiry=("咨询",),
        complaint=("投诉",),
        order_confirmation=("订单确认",),
        follow_up_call=("回访", "回访电话"),
        visit=("拜访", "上门"),
        suggestion=("建议",),
        praise=("表扬",),
        return_request=("退货申请", "退货"),
        other=("其他",),
    ),
    "channel": _aliases(
        phone=("电话",),
        email=("邮件", "电子邮件"),
        social=("社交媒体", "微信", "微博"),
        web=("网站", "网页"),
        chat=("在线客服", "在线聊天"),
        in_person=("当面", "面对面", "现场"),
        sms=("短信",),
        other=("其他",),
    ),
    "outcome": _aliases(
        open=("待处理", "处理中", "未结"),
        resolved=("已解决",),
        escalated=("已升级", "升级"),
        unresolved=("未解决",),
        no_action=("无需处理",),
    ),
    "language": {
        **_aliases(en=("英文", "英语", "english")),
        **dict.fromkeys(("中文", "简体中文", "汉语", "zh", "zh-cn", "zh_cn", "chinese"), "zh-hans"),
    },
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(slots=True)
class ParsedRow:
    """One data row on its way in: the typed values given, and whatever went wrong.

    Later steps add resolved references (database ids) to `values` and errors to `errors`."""

    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, str(message)))


PARSERS: dict[str, dict[str, Callable[[Cell], Any]]] = {
    ImportKind.CUSTOMERS: {
        "external_id": text(64),
        "name": text(200),
        "gender": choice(Gender, CHINESE_CHOICES["gender"]),
        "age": whole_number(0, 120, gettext_lazy("“%(value)s” is not a plausible age.")),
        "birth_year": whole_number(
            1900, 2100, gettext_lazy("“%(value)s” is not a plausible birth year.")
        ),
        "occupation": text(100),
        "region": text(100),
        "city": text(100),
        "segment": text(100),
        "tags": tags,
        "team": text(),
        "phone": contact(ContactKind.PHONE),
        "email": contact(ContactKind.EMAIL),
        "address": contact(ContactKind.ADDRESS),
        "messaging_id": contact(ContactKind.MESSAGING),
        "language": language(CHINESE_CHOICES["language"]),
        "consent_email": boolean,
        "consent_sms": boolean,
        "consent_phone": boolean,
        "consent_messaging": boolean,
        "notes": text(),
    },
    ImportKind.PURCHASES: {
        "order_no": text(64),
        "customer_id": text(64),
        "purchased_at": moment,
        "channel": choice(PurchaseChannel, CHINESE_CHOICES["purchase_channel"]),
        "amount": money,
        "sku": text(64),
        "product": text(200),
        "category": text(100),
        "quantity": whole_number(1, 2**31 - 1, gettext_lazy("The quantity must be at least 1.")),
        "unit_price": money,
        "delivered_at": moment,
        "returned": boolean,
        "returned_at": moment,
        "store": text(100),
    },
    ImportKind.INTERACTIONS: {
        "external_id": text(64),
        "customer_id": text(64),
        "kind": choice(InteractionKind, CHINESE_CHOICES["interaction_kind"]),
        "channel": choice(Channel, CHINESE_CHOICES["channel"]),
        "occurred_at": moment,
        "subject": text(200),
        "content": text(),
        "outcome": choice(Outcome, CHINESE_CHOICES["outcome"]),
        "outcome_note": text(),
        "handled_by": text(),
        "team": text(),
        "closed_at": moment,
    },
}


_CONTACT_COLUMNS = frozenset({"phone", "email", "address", "messaging_id"})


def parse_row(kind: str, header_map: HeaderMap, number: int, cells: list[Cell]) -> ParsedRow:
    """Every given cell parsed; required cells checked; all problems of the row collected."""
    row = ParsedRow(number=number, values={})
    parsers = PARSERS[kind]
    width = len(cells)
    for column in header_map.columns:
        position = header_map.positions[column.field]
        cell = cells[position] if position < width else ""
        if isinstance(cell, str):
            cell = spreadsheet_text_read(cell.lstrip()).strip()
        if cell == "":
            if column.required:
                row.fail(header_map.headers[position], _("This value is required."))
            continue
        if column.field in _CONTACT_COLUMNS and is_masked(str(cell)):
            # A masked contact from an export ("138****5678"): not given, the stored one stays.
            continue
        try:
            row.values[column.field] = parsers[column.field](cell)
        except Invalid as exc:
            row.fail(header_map.headers[position], str(exc))
    _FINISHERS[kind](row, header_map)
    return row


def _finish_customer(row: ParsedRow, header_map: HeaderMap) -> None:
    age = row.values.get("age")
    if age is not None and "birth_year" not in row.values:
        row.values["birth_year"] = timezone.localdate().year - age


def _finish_purchase(row: ParsedRow, header_map: HeaderMap) -> None:
    values = row.values
    if "sku" not in values and any(f in values for f in ("product", "quantity", "unit_price")):
        row.fail(header_map.header_for("sku"), _("Give the product's SKU on every product row."))
    if "returned_at" in values and "returned" not in values:
        values["returned"] = True


def _finish_interaction(row: ParsedRow, header_map: HeaderMap) -> None:
    values = row.values
    closed, occurred = values.get("closed_at"), values.get("occurred_at")
    if closed and occurred and closed < occurred:
        row.fail(
            header_map.header_for("closed_at"),
            _("The closing time is before the time of the interaction."),
        )
    if "external_id" not in values and not row.errors:
        values["external_id"] = derived_interaction_id(values)
        values["derived_id"] = True


def derived_interaction_id(values: dict[str, Any]) -> str:
    """A stable ID for a row that has none, so that importing the same file twice finds the
    interactions the first import created instead of adding them again."""
    occurred = values["occurred_at"].astimezone(dt.UTC).isoformat()
    parts = [values["customer_id"], occurred, values["kind"], values.get("channel", "")]
    parts += [values.get("subject", ""), values.get("content", "")]
    digest = hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()
    return "auto-" + digest[:24]


_FINISHERS = {
    ImportKind.CUSTOMERS: _finish_customer,
    ImportKind.PURCHASES: _finish_purchase,
    ImportKind.INTERACTIONS: _finish_interaction,
}
