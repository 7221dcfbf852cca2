"""The columns each kind of import understands, and how a file's headers map onto them.

The first alias of each column is its canonical header: the import templates and the exports
write it, so an exported file imports again unchanged."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..choices import ImportKind


@dataclass(frozen=True)
class Column:
    field: str
    label: str | Promise
    aliases: tuple[str, ...]
    required: bool = False

    @property
    def header(self) -> str:
        return self.aliases[0]


def _c(field: str, label, *aliases: str, required: bool = False) -> Column:
    return Column(field=field, label=label, aliases=(field, *aliases), required=required)


CUSTOMER_COLUMNS = (
    _c(
        "external_id",
        _("external ID"),
        "customer_id",
        "客户编号",
        "客户id",
        "客户号",
        required=True,
    ),
    _c("name", _("name"), "customer_name", "姓名", "客户名称", "客户姓名", required=True),
    _c("gender", _("gender"), "sex", "性别"),
    _c("age", _("age"), "年龄"),
    _c("birth_year", _("birth year"), "出生年份"),
    _c("occupation", _("occupation"), "职业"),
    _c("region", _("region"), "province", "地区", "省份"),
    _c("city", _("city"), "城市"),
    _c("segment", _("segment"), "客户分群", "细分", "分群"),
    _c("tags", _("tags"), "tag", "标签"),
    _c("team", _("team"), "团队"),
    _c("phone", _("phone"), "mobile", "手机", "电话", "手机号", "手机号码", "联系电话"),
    _c("email", _("email"), "e_mail", "邮箱", "电子邮件", "电子邮箱"),
    _c("address", _("address"), "地址"),
    _c("messaging_id", _("messaging ID"), "wechat", "微信", "微信号"),
    _c("language", _("preferred language"), "语言"),
    _c("consent_email", _("may be contacted by email"), "同意邮件联系"),
    _c("consent_sms", _("may be contacted by SMS"), "同意短信联系"),
    _c("consent_phone", _("may be contacted by phone"), "同意电话联系"),
    _c("consent_messaging", _("may be contacted by messaging"), "同意消息联系"),
    _c("notes", _("notes"), "note", "remarks", "备注"),
)

PURCHASE_COLUMNS = (
    _c("order_no", _("order number"), "order_id", "订单号", "订单编号", required=True),
    _c("customer_id", _("customer"), "客户编号", "客户id", required=True),
    _c(
        "purchased_at",
        _("purchased at"),
        "date",
        "order_date",
        "下单时间",
        "购买日期",
        "购买时间",
        required=True,
    ),
    _c("channel", _("channel"), "渠道"),
    _c("amount", _("amount"), "金额", "订单金额"),
    _c("sku", _("SKU"), "商品编码", "商品编号"),
    _c("product", _("product"), "product_name", "商品名称", "商品"),
    _c("category", _("category"), "品类", "类别"),
    _c("quantity", _("quantity"), "qty", "数量"),
    _c("unit_price", _("unit price"), "price", "单价"),
    _c("delivered_at", _("delivered at"), "送达时间"),
    _c("returned", _("returned"), "是否退货", "退货"),
    _c("returned_at", _("returned at"), "退货时间"),
    _c("store", _("store"), "门店"),
)

INTERACTION_COLUMNS = (
    _c("external_id", _("external ID"), "interaction_id", "编号"),
    _c("customer_id", _("customer"), "客户编号", "客户id", required=True),
    Column("kind", _("type"), ("type", "kind", "类型"), required=True),
    _c("channel", _("channel"), "渠道"),
    _c("occurred_at", _("occurred at"), "time", "date", "时间", "发生时间", required=True),
    _c("subject", _("subject"), "主题"),
    _c("content", _("content"), "内容"),
    _c("outcome", _("outcome"), "结果"),
    _c("outcome_note", _("outcome note"), "处理说明"),
    _c("handled_by", _("handled by"), "处理人"),
    _c("team", _("team"), "团队"),
    _c("closed_at", _("closed at"), "关闭时间"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.CUSTOMERS: CUSTOMER_COLUMNS,
    ImportKind.PURCHASES: PURCHASE_COLUMNS,
    ImportKind.INTERACTIONS: INTERACTION_COLUMNS,
}

# Derived on import, never written back: exports give the birth year instead of the age.
NOT_EXPORTED = {ImportKind.CUSTOMERS: {"age"}}


def template_headers(kind: str) -> list[str]:
    return [column.header for column in COLUMNS[kind]]


def export_headers(kind: str) -> list[str]:
    skip = NOT_EXPORTED.get(kind, set())
    return [column.header for column in COLUMNS[kind] if column.field not in skip]


_SEPARATORS = re.compile(r"[\s\-]+")


def header_key(header: str) -> str:
    """'Customer ID ' and 'customer-id' and 'CUSTOMER_ID' all become 'customer_id'."""
    return _SEPARATORS.sub("_", header.strip().lower()).strip("_")


@dataclass(frozen=True)
class HeaderMap:
    """Which position in the file's rows feeds which field."""

    headers: tuple[str, ...]
    positions: dict[str, int]  # field -> index in the row
    columns: tuple[Column, ...]  # the kind's columns that the file has, in file order
    unrecognised: tuple[str, ...]
    missing: tuple[Column, ...]

    def header_for(self, field: str) -> str:
        position = self.positions.get(field)
        return self.headers[position] if position is not None else field


def map_headers(kind: str, headers: tuple[str, ...]) -> HeaderMap:
    by_alias = {header_key(alias): column for column in COLUMNS[kind] for alias in column.aliases}
    positions: dict[str, int] = {}
    found: list[Column] = []
    unrecognised: list[str] = []
    for index, header in enumerate(headers):
        column = by_alias.get(header_key(header))
        if column is None or column.field in positions:
            if header.strip():
                unrecognised.append(header)
            continue
        positions[column.field] = index
        found.append(column)
    missing = tuple(c for c in COLUMNS[kind] if c.required and c.field not in positions)
    return HeaderMap(
        headers=headers,
        positions=positions,
        columns=tuple(found),
        unrecognised=tuple(unrecognised),
        missing=missing,
    )
