"""Ready-made questionnaires. Each is plain data: `survey_create_from_blueprint` turns it into
a survey whose questions can then be edited like any other."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import MatrixMeasure
from .choices import QuestionType as T

ALL_DIMENSIONS = [
    "product_quality",
    "price",
    "delivery",
    "service_attitude",
    "response_speed",
    "after_sales",
    "channels",
    "brand",
]

# Repurchase intent and similar five-point intent scales, as choice options.
_INTENT = [
    {"value": "5", "zh": "一定会", "en": "Definitely"},
    {"value": "4", "zh": "可能会", "en": "Probably"},
    {"value": "3", "zh": "不确定", "en": "Not sure"},
    {"value": "2", "zh": "可能不会", "en": "Probably not"},
    {"value": "1", "zh": "一定不会", "en": "Definitely not"},
]
_YES_NO = [{"value": "yes", "zh": "是", "en": "Yes"}, {"value": "no", "zh": "否", "en": "No"}]


@dataclass(frozen=True)
class Blueprint:
    key: str
    name: object  # lazy translated
    description: object  # lazy translated: what the template asks, for the create page
    title_zh: str
    title_en: str
    intro_zh: str
    intro_en: str
    questions: tuple[dict, ...]


_INTRO_ZH = (
    "感谢您抽出时间填写本问卷，大约需要 {minutes} 分钟。您的回答仅用于改进我们的产品和服务。"
)
_INTRO_EN = (
    "Thank you for taking the time to answer; it takes about {minutes} minutes. "
    "Your answers are used only to improve our products and services."
)


def _intro(minutes: int) -> tuple[str, str]:
    return _INTRO_ZH.format(minutes=minutes), _INTRO_EN.format(minutes=minutes)


BLUEPRINTS: dict[str, Blueprint] = {}


def _register(key, name, description, title_zh, title_en, minutes, questions):
    intro_zh, intro_en = _intro(minutes)
    BLUEPRINTS[key] = Blueprint(
        key, name, description, title_zh, title_en, intro_zh, intro_en, questions
    )


# The catalogue keeps its compact, aligned layout.
# fmt: off
_register(
    "csat_purchase",
    _("CSAT after purchase"),
    _("Overall and delivery satisfaction after an order, “why?” on a low score."),
    "购物满意度调查",
    "How was your purchase?",
    2,
    (
        dict(code="overall", type=T.CSAT, scale_max=5, required=True,
             text_zh="总体而言，您对本次购物的满意程度如何？",
             text_en="Overall, how satisfied are you with this purchase?"),
        dict(code="delivery", type=T.CSAT, scale_max=5, dimension="delivery",
             text_zh="您对配送服务的满意程度如何？",
             text_en="How satisfied are you with the delivery?"),
        dict(code="why_low", type=T.LONG_TEXT, page=2,
             show_if={"question": "overall", "op": "lte", "value": 3},
             text_zh="很抱歉没有让您满意。请告诉我们哪里做得不好？",
             text_en="We are sorry. What went wrong?"),
        dict(code="repurchase", type=T.SINGLE, page=2, options=_INTENT,
             text_zh="您今后还会在我们这里购买吗？",
             text_en="Would you buy from us again?"),
    ),
)

_register(
    "nps_relationship",
    _("NPS relationship survey"),
    _("Likelihood to recommend, the reason, and what to improve first."),
    "推荐意愿调查",
    "Would you recommend us?",
    2,
    (
        dict(code="nps", type=T.NPS, required=True,
             text_zh="您有多大可能向朋友或同事推荐我们？",
             text_en="How likely are you to recommend us to a friend or colleague?"),
        dict(code="nps_reason", type=T.LONG_TEXT, page=2,
             show_if={"question": "nps", "op": "answered"},
             text_zh="您给出这个分数的主要原因是什么？",
             text_en="What is the main reason for your score?"),
        dict(code="improve_first", type=T.MULTIPLE, page=2,
             options=[{"value": d, "zh": zh, "en": en} for d, zh, en in [
                 ("product_quality", "产品质量", "Product quality"),
                 ("price", "价格", "Price"),
                 ("delivery", "配送", "Delivery"),
                 ("service", "服务", "Service"),
                 ("after_sales", "售后", "After-sales"),
             ]],
             text_zh="您最希望我们首先改进哪些方面？（可多选）",
             text_en="What should we improve first? (choose any)"),
    ),
)

_register(
    "ces_service",
    _("CES after a service case"),
    _("How easy it was to get an issue resolved, and the agent's attitude."),
    "服务体验调查",
    "How easy was it?",
    1,
    (
        dict(code="ces", type=T.CES, required=True,
             text_zh="这次解决您的问题有多容易？",
             text_en="How easy was it to get your issue resolved?"),
        dict(code="resolved", type=T.SINGLE, options=_YES_NO, required=True,
             text_zh="您的问题解决了吗？", text_en="Was your issue resolved?"),
        dict(code="agent_csat", type=T.CSAT, scale_max=5, dimension="service_attitude",
             text_zh="您对客服人员的服务态度满意吗？",
             text_en="How satisfied are you with the agent's attitude?"),
        dict(code="comment", type=T.LONG_TEXT, page=2,
             text_zh="还有什么想告诉我们的吗？", text_en="Anything else you want to tell us?"),
    ),
)

_register(
    "full_satisfaction",
    _("Full satisfaction survey (all evaluated items)"),
    _(
        "Overall satisfaction, every evaluated item's satisfaction and importance, "
        "expectation vs. experience, loyalty."
    ),
    "客户满意度调查",
    "Customer satisfaction survey",
    6,
    (
        dict(code="overall", type=T.CSAT, scale_max=5, required=True,
             text_zh="总体而言，您对我们的满意程度如何？",
             text_en="Overall, how satisfied are you with us?"),
        dict(code="items", type=T.MATRIX, scale_max=5, items=ALL_DIMENSIONS, required=True,
             text_zh="请评价您对以下各方面的满意程度：",
             text_en="How satisfied are you with each of the following?"),
        dict(code="importance", type=T.MATRIX, scale_max=5, page=2, items=ALL_DIMENSIONS,
             measure=MatrixMeasure.IMPORTANCE,
             text_zh="以下各方面对您来说有多重要？",
             text_en="How important is each of the following to you?"),
        dict(code="gap", type=T.EXPECTATION, scale_max=5, page=2,
             items=["product_quality", "delivery", "service_attitude", "after_sales"],
             text_zh="请分别评价您购买前的期望和实际的体验：",
             text_en="Rate what you expected before buying and what you experienced:"),
        dict(code="repurchase", type=T.SINGLE, page=3, options=_INTENT, required=True,
             text_zh="您今后还会购买我们的产品吗？",
             text_en="Would you buy our products again?"),
        dict(code="nps", type=T.NPS, page=3, required=True,
             text_zh="您有多大可能向朋友或同事推荐我们？",
             text_en="How likely are you to recommend us to a friend or colleague?"),
        dict(code="suggestions", type=T.LONG_TEXT, page=3,
             text_zh="您对我们有什么意见或建议？",
             text_en="What would you like us to do better?"),
    ),
)

_register(
    "exit",
    _("Lost-customer (exit) survey"),
    _("Why a customer stopped buying and what would bring them back."),
    "客户流失原因调查",
    "Why did you leave us?",
    3,
    (
        dict(code="reasons", type=T.MULTIPLE, required=True,
             options=[{"value": v, "zh": zh, "en": en} for v, zh, en in [
                 ("price", "价格太高", "Too expensive"),
                 ("quality", "产品质量问题", "Product quality problems"),
                 ("service", "服务不满意", "Unhappy with the service"),
                 ("delivery", "配送问题", "Delivery problems"),
                 ("competitor", "选择了其他品牌", "Chose another brand"),
                 ("no_need", "不再需要", "No longer needed"),
                 ("other", "其他原因", "Another reason"),
             ]],
             text_zh="您最近没有再购买我们产品的原因是什么？（可多选）",
             text_en="Why have you stopped buying from us? (choose any)"),
        dict(code="competitor", type=T.SHORT_TEXT,
             show_if={"question": "reasons", "op": "in", "value": ["competitor"]}, page=2,
             text_zh="您选择了哪个品牌？", text_en="Which brand did you choose?"),
        dict(code="win_back", type=T.LONG_TEXT, page=2,
             text_zh="我们怎样做才能让您再次选择我们？",
             text_en="What would make you come back?"),
        dict(code="return_likelihood", type=T.SINGLE, page=2, options=_INTENT,
             text_zh="您有多大可能再次购买我们的产品？",
             text_en="How likely are you to buy from us again?"),
    ),
)
_register(
    "case_recovery",
    _("Follow-up after a complaint"),
    _("Whether the problem is solved and how satisfied the customer is with its handling."),
    "问题处理回访",
    "Is your problem solved?",
    1,
    (
        dict(code="solved", type=T.SINGLE, options=_YES_NO, required=True,
             text_zh="您反映的问题解决了吗？", text_en="Is your problem solved?"),
        dict(code="handling", type=T.CSAT, scale_max=5, required=True,
             text_zh="您对我们处理这个问题的方式满意吗？",
             text_en="How satisfied are you with how we handled it?"),
        dict(code="comment", type=T.LONG_TEXT,
             text_zh="还有什么想告诉我们的吗？", text_en="Anything else you want to tell us?"),
    ),
)
# fmt: on
