"""The odds behind demo purchases and interactions: which channels, topics and outcomes are
likely for whom. Kept apart from the generating code so the story the data tells (who
complains about what, and how it ends) can be read and tuned in one place."""

from __future__ import annotations

from manyi.customers.choices import Channel, InteractionKind, PurchaseChannel

from . import vocab
from .context import cumulative

DISCOUNTS = (0, 0, 0, 0, 5, 5, 8, 10, 10, 12, 15, 20)  # per cent off list price
# Team key -> how often its customers complain and leave complaints unresolved.
TEAM_TROUBLE = {"east": 0.8, "south": 1.0, "north": 1.4, "online": 1.2}
TEAM_KEYS = [key for key, _name, _lead in vocab.TEAMS]
CHANNEL_STORES = {PurchaseChannel.ONLINE_STORE: "官方商城", PurchaseChannel.APP: "官方App"}

PURCHASE_CHANNELS = {  # online-team customers buy online; the others also in shops
    True: ((PurchaseChannel.ONLINE_STORE, 30), (PurchaseChannel.APP, 30),
           (PurchaseChannel.MARKETPLACE, 38), (PurchaseChannel.OTHER, 2)),
    False: ((PurchaseChannel.ONLINE_STORE, 18), (PurchaseChannel.APP, 14),
            (PurchaseChannel.MARKETPLACE, 30), (PurchaseChannel.RETAIL_STORE, 28),
            (PurchaseChannel.PHONE, 3), (PurchaseChannel.DEALER, 5), (PurchaseChannel.OTHER, 2)),
}  # fmt: skip
K = InteractionKind
KIND_CHANNELS = {
    K.INQUIRY: ((Channel.PHONE, 30), (Channel.CHAT, 32), (Channel.WEB, 10), (Channel.EMAIL, 8),
                (Channel.SOCIAL, 10), (Channel.IN_PERSON, 5), (Channel.SMS, 2), (Channel.OTHER, 3)),
    K.COMPLAINT: ((Channel.PHONE, 40), (Channel.CHAT, 22), (Channel.SOCIAL, 12),
                  (Channel.EMAIL, 10), (Channel.WEB, 10), (Channel.IN_PERSON, 4),
                  (Channel.OTHER, 2)),
    K.ORDER_CONFIRMATION: ((Channel.SMS, 55), (Channel.PHONE, 25), (Channel.EMAIL, 15),
                           (Channel.CHAT, 5)),
    K.FOLLOW_UP_CALL: ((Channel.PHONE, 1),),
    K.VISIT: ((Channel.IN_PERSON, 1),),
    K.SUGGESTION: ((Channel.WEB, 35), (Channel.EMAIL, 20), (Channel.CHAT, 20),
                   (Channel.SOCIAL, 20), (Channel.PHONE, 5)),
    K.PRAISE: ((Channel.SOCIAL, 30), (Channel.CHAT, 25), (Channel.PHONE, 20), (Channel.WEB, 10),
               (Channel.EMAIL, 10), (Channel.IN_PERSON, 5)),
    K.RETURN_REQUEST: ((Channel.CHAT, 35), (Channel.PHONE, 30), (Channel.WEB, 25),
                       (Channel.EMAIL, 10)),
    K.OTHER: ((Channel.PHONE, 50), (Channel.CHAT, 50)),
}  # fmt: skip
# Typical hours from contact to closing, by kind.
HOURS_TO_CLOSE = {
    K.COMPLAINT: 30, K.RETURN_REQUEST: 48, K.INQUIRY: 3, K.SUGGESTION: 36, K.OTHER: 2,
    K.FOLLOW_UP_CALL: 0.15, K.VISIT: 0.5, K.ORDER_CONFIRMATION: 0.05, K.PRAISE: 6,
}  # fmt: skip
NOTHING_TO_DO = {K.ORDER_CONFIRMATION, K.FOLLOW_UP_CALL, K.VISIT, K.SUGGESTION, K.PRAISE}
UNRESOLVED_NOTES = (
    "客户不接受处理方案，已记录。",
    "多次联系客户未果。",
    "超出保修范围，客户不同意付费维修。",
)
# Topic, reference moment ("p" ordered, "d" delivered) and the range of days after it.
ORDER_TOPIC_TIMING = {
    "order_confirmation:order": ("p", 0, 0),
    "follow_up_call:satisfaction": ("d", 3, 15),
    "inquiry:usage": ("d", 1, 30),
    "inquiry:invoice": ("p", 0, 10),
    "inquiry:delivery_status": ("p", 1, 2),
    "praise:product_quality": ("d", 2, 30),
    "praise:fast_delivery": ("d", 0, 2),
    "complaint:defect": ("d", 3, 45),
    "complaint:price_drop": ("p", 3, 25),
    "complaint:after_sales": ("d", 15, 45),
    "complaint:installation": ("d", 0, 3),
    "inquiry:installation_booking": ("d", 0, 2),
    "complaint:app_connect": ("d", 1, 20),
    "suggestion:product_feature": ("d", 10, 40),
    "suggestion:packaging": ("d", 0, 3),
    "other:change_address": ("p", 0, 1),
}


def order_topics(product: vocab.Product, business: bool):
    weights = {
        "order_confirmation:order": 26,
        "follow_up_call:satisfaction": 16,
        "inquiry:usage": 12,
        "inquiry:invoice": 25 if business else 4,
        "inquiry:delivery_status": 6,
        "praise:product_quality": 9 / product.defects,
        "praise:fast_delivery": 4,
        "complaint:defect": 2.5 * product.defects,
        "complaint:price_drop": 2,
        "complaint:after_sales": 1.5 * product.defects,
        "complaint:installation": 5 if product.installed else 0,
        "inquiry:installation_booking": 8 if product.installed else 0,
        "complaint:app_connect": 4 if product.smart else 0,
        "suggestion:product_feature": 3,
        "suggestion:packaging": 1,
        "other:change_address": 2,
    }
    keys = [key for key, weight in weights.items() if weight]
    return keys, cumulative(weights[key] for key in keys)


APP_TOPICS = {"complaint:app_connect", "suggestion:app_usability"}  # about a smart product


def service_topics(team_key: str):
    """Contacts that concern no particular order, for customers of one team."""
    trouble = TEAM_TROUBLE[team_key]
    online = team_key == "online"
    weights = {
        "inquiry:product_advice": 20, "inquiry:promotion": 12, "inquiry:warranty": 6,
        "follow_up_call:care": 12, "visit:store_visit": 2 if online else 8,
        "suggestion:app_usability": 10 if online else 5, "suggestion:product_feature": 3,
        "praise:service": 7 / trouble, "complaint:service_attitude": 4 * trouble,
        "complaint:marketing": 3 * trouble, "complaint:after_sales": 3 * trouble,
        "complaint:app_connect": 2 * trouble,
    }  # fmt: skip
    return list(weights), cumulative(weights.values())


def choices(pairs):
    """((value, weight), ...) -> the (values, cumulative weights) that `pick` takes."""
    return [value for value, _w in pairs], cumulative(w for _v, w in pairs)
