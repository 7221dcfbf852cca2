"""Demo purchases and interactions, generated together along one timeline.

Ids follow time (O00000001 is the oldest order, I00000001 the oldest contact) and every
delivery query, complaint or return request concerns a real order of the same customer at a
plausible moment after it. Complaints follow returns, late deliveries (remote regions),
defect-prone products and the weaker teams, so that analysis of demo data has something real to
find. Orders and contacts stream out in time order and are inserted in batches: memory holds
only the contacts still waiting for their moment, never the whole history.
"""

from __future__ import annotations

import heapq
import itertools
import math
from bisect import bisect, bisect_left
from typing import NamedTuple

from manyi.customers.choices import Channel, InteractionKind, Outcome, PurchaseChannel
from manyi.customers.models import Customer, Interaction, Purchase, PurchaseItem

from . import vocab
from .bulk import Table
from .context import Context, code, cumulative, money, pick
from .odds import (
    APP_TOPICS,
    CHANNEL_STORES,
    DISCOUNTS,
    HOURS_TO_CLOSE,
    KIND_CHANNELS,
    NOTHING_TO_DO,
    ORDER_TOPIC_TIMING,
    PURCHASE_CHANNELS,
    TEAM_KEYS,
    TEAM_TROUBLE,
    UNRESOLVED_NOTES,
    choices,
    order_topics,
    service_topics,
)
from .people import DORMANT_DAYS, ONLINE_TEAM, SEGMENT_KEYS
from .texts import topics
from .timeline import DAY, HOUR, Calendar

LINKED_SHARE = 0.6  # of interactions that concern a particular order
PURCHASE_COLUMNS = (
    "external_id", "customer", "purchased_at", "channel", "amount", "delivered_at", "returned",
    "returned_at", "store", "created_at",
)  # fmt: skip
INTERACTION_COLUMNS = (
    "external_id", "customer", "kind", "channel", "subject", "content", "outcome",
    "outcome_note", "handled_by", "team", "occurred_at", "closed_at", "created_at", "updated_at",
)  # fmt: skip


class _Order(NamedTuple):
    """What the contacts about an order need to know of it (times in seconds)."""

    number: int
    code: str
    at: int
    customer: int  # position in the customer index
    product: int  # the main item, position in vocab.PRODUCTS
    delivered: int | None
    returned: int | None
    late: bool
    business: bool
    store: str


class _Activity:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.rng = ctx.rng
        self.index = ctx.customers
        self.topics = topics()
        self.calendar = Calendar(ctx.start, ctx.tz)
        self.seconds = self.calendar.seconds
        self.business = SEGMENT_KEYS.index("business")
        self.dormant = SEGMENT_KEYS.index("dormant")
        self.widths = {
            "O": max(8, len(str(ctx.sizes.purchases))),
            "I": max(8, len(str(ctx.sizes.interactions))),
        }
        sellable = [i for i, p in enumerate(vocab.PRODUCTS) if p.popularity]
        self.products = sellable, cumulative(vocab.PRODUCTS[i].popularity for i in sellable)
        smart = [i for i in sellable if vocab.PRODUCTS[i].smart]
        self.smart_products = smart, cumulative(vocab.PRODUCTS[i].popularity for i in smart)
        self.accessories = {
            category: [i for i, p in enumerate(vocab.PRODUCTS) if p.accessory_for == category]
            for category in {p.category for p in vocab.PRODUCTS}
        }
        self.order_topics = {
            (i, business): order_topics(p, business)
            for i, p in enumerate(vocab.PRODUCTS)
            for business in (False, True)
        }
        self.service_topics = [service_topics(key) for key in TEAM_KEYS]
        self.purchase_channels = {k: choices(v) for k, v in PURCHASE_CHANNELS.items()}
        self.kind_channels = {k: choices(v) for k, v in KIND_CHANNELS.items()}
        self.marketplaces = choices(vocab.MARKETPLACES)
        self.pending = []  # heap of order contacts waiting for their moment
        self.sequence = itertools.count()  # tie-break in the heap, so payloads never compare
        self.purchases, self.interactions, self.tag_links = [], [], []
        self.counts = dict.fromkeys(("purchases", "purchase_items", "interactions"), 0)
        self.linked = 0
        self.weight_sum = 0.0
        self.complaint_tag = ctx.tag_ids["投诉过"]
        self.tables = {
            "purchases": Table(Purchase, PURCHASE_COLUMNS),
            "items": Table(PurchaseItem, ("purchase", "product", "quantity", "unit_price")),
            "interactions": Table(Interaction, INTERACTION_COLUMNS),
            "tags": Table(Customer.tags.through, ("customer", "tag")),
        }

    def customer_at(self, t: int, *, buying: bool = False) -> int:
        """A customer who had joined by `t`, more likely the more they buy; dormant ones
        stopped more than a year before the end. Some orders are the first of someone who
        joined in the last two weeks: people sign up when they buy."""
        index, rng = self.index, self.rng
        joined = max(bisect(index.joined, t), 1)  # tiny data sets: someone must act
        if buying and rng.random() < self.first_orders:
            since = bisect(index.joined, t - 14 * DAY)
            if since < joined:
                return rng.randrange(since, joined)
        total = index.appetite[joined - 1]
        for _attempt in range(20):
            ci = min(bisect(index.appetite, rng.random() * total, 0, joined), joined - 1)
            if index.segment[ci] != self.dormant or t < self.dormant_until:
                break
        return ci

    def run(self) -> None:
        sizes = self.ctx.sizes
        orders = min(sizes.purchases, round(sizes.interactions * LINKED_SHARE))
        self.to_link = orders if sizes.purchases else 0
        self.dormant_until = self.seconds - DORMANT_DAYS * DAY
        joiners = len(self.index) - bisect_left(self.index.joined, 0)
        self.first_orders = min(0.5, joiners / sizes.purchases) if sizes.purchases else 0.0
        others = self.calendar.timeline("service").moments(
            self.rng, sizes.interactions - self.to_link
        )
        self.next_other = next(others, None)
        self.others = others
        sales = self.calendar.timeline("sales").moments(self.rng, sizes.purchases)
        for number, t in enumerate(sales, 1):
            self.emit_until(t)
            self.purchase(number, t)
            if len(self.purchases) >= self.ctx.batch_size:
                self.flush_purchases()
        self.emit_until(math.inf)
        self.flush_purchases()
        self.flush_interactions()
        self.ctx.counts.update(self.counts)

    def purchase(self, number: int, t: int) -> None:
        rng, index = self.rng, self.index
        ci = self.customer_at(t, buying=True)
        region = vocab.REGIONS[index.region[ci]]
        city = region.cities[index.city[ci]][0]
        business = index.segment[ci] == self.business
        channel = pick(rng, *self.purchase_channels[index.team[ci] == ONLINE_TEAM])
        if channel == PurchaseChannel.MARKETPLACE:
            store = pick(rng, *self.marketplaces)
        elif channel == PurchaseChannel.RETAIL_STORE:
            store = city + rng.choice(vocab.STORE_MALLS)
        elif channel == PurchaseChannel.DEALER:
            store = f"{city}授权经销商"
        else:
            store = CHANNEL_STORES.get(channel, "")
        main = pick(rng, *self.products)
        lines = [(main, rng.randint(2, 10) if business else 1 + (rng.random() < 0.06))]
        accessories = self.accessories[vocab.PRODUCTS[main].category]
        if accessories and rng.random() < 0.3:
            lines.append((rng.choice(accessories), rng.randint(1, 2)))
        extra = pick(rng, *self.products)
        if rng.random() < 0.1 and extra not in (line[0] for line in lines):
            lines.append((extra, 1))
        off = rng.choice(DISCOUNTS)
        lines = [(p, qty, vocab.PRODUCTS[p].price * (100 - off)) for p, qty in lines]
        delivered = returned = None
        days = 0
        if rng.random() < 0.95:
            days = rng.choice((1, 1, 2, 2, 2, 3, 3)) + 2 * region.remote + 2 * (rng.random() < 0.06)
            if channel == PurchaseChannel.RETAIL_STORE and rng.random() < 0.4:
                days = 0  # carried home
            delivered = t + days * DAY + rng.randrange(2 * HOUR, 10 * HOUR)
            if delivered >= self.seconds:
                delivered = None
        product = vocab.PRODUCTS[main]
        if delivered is not None and rng.random() < 0.03 * product.defects + 0.02 * (days >= 4):
            returned = delivered + rng.randint(1, 14) * DAY + rng.randrange(10 * HOUR)
            if returned >= self.seconds:
                returned = None
        at = self.calendar.at
        order = code("O", number, self.widths["O"])
        self.purchases.append((
            (
                order, index.pk[ci], at(t), channel,
                money(sum(qty * cents for _p, qty, cents in lines)),
                at(delivered) if delivered is not None else None, returned is not None,
                at(returned) if returned is not None else None, store, at(t),
            ),
            lines,
        ))  # fmt: skip
        self.maybe_link(
            _Order(number, order, t, ci, main, delivered, returned, days >= 4, business, store)
        )

    def maybe_link(self, order: _Order) -> None:
        """Pick exactly `to_link` orders to talk about, favouring returned and late ones:
        selection sampling with each order's odds scaled by its weight against the mean."""
        rng = self.rng
        weight = 1.0 + 6.0 * (order.returned is not None) + 1.5 * order.late
        self.weight_sum += weight
        needed = self.to_link - self.linked
        remaining = self.ctx.sizes.purchases - order.number + 1
        if needed <= 0:
            return
        mean = self.weight_sum / order.number
        if needed < remaining and rng.random() >= needed / remaining * weight / mean:
            return
        self.linked += 1
        t, delivered, returned = order.at, order.delivered, order.returned
        reference = delivered if delivered is not None else t
        if returned is not None:
            key = pick(
                rng,
                (
                    "return_request:defect",
                    "return_request:unsatisfied",
                    "complaint:defect",
                    "inquiry:refund_status",
                ),
                (40, 60, 90, 100),
            )
            if key == "inquiry:refund_status":
                reference, at = returned, returned + rng.randint(2, 6) * DAY
            else:
                at = delivered + int(rng.random() * (returned - delivered))
        elif order.late:
            key = "complaint:delivery_late" if rng.random() < 0.55 else "inquiry:delivery_status"
            reference, at = t, t + rng.randint(3, 4) * DAY
        else:
            key = pick(rng, *self.order_topics[(order.product, order.business)])
            base, low, high = ORDER_TOPIC_TIMING[key]
            reference = t if base == "p" or delivered is None else delivered
            at = reference + rng.randint(low, high) * DAY
        if key == "order_confirmation:order":
            at = t + rng.randrange(2 * 60, 3 * HOUR)
        elif returned is None or key == "inquiry:refund_status":
            at = max(self.calendar.office_time(self.rng, at), t + 600)
        if at >= self.seconds:
            at = t + int(rng.random() * (self.seconds - t))
        entry = (at, next(self.sequence), order.customer, key, order.product, order.code,
                 reference, order.store)  # fmt: skip
        heapq.heappush(self.pending, entry)

    def emit_until(self, limit: float) -> None:
        while True:
            waiting = self.pending[0][0] if self.pending else math.inf
            other = self.next_other if self.next_other is not None else math.inf
            if min(waiting, other) > limit or min(waiting, other) == math.inf:
                return
            if waiting <= other:
                at, _seq, ci, key, product, order, reference, store = heapq.heappop(self.pending)
                self.interaction(at, ci, key, product, order, reference, store)
            else:
                self.other(other)
                self.next_other = next(self.others, None)

    def other(self, at: int) -> None:
        rng, index = self.rng, self.index
        ci = self.customer_at(at)
        key = pick(rng, *self.service_topics[index.team[ci]])
        region = vocab.REGIONS[index.region[ci]]
        store = region.cities[index.city[ci]][0] + rng.choice(vocab.STORE_MALLS)
        reference = at - rng.randint(5, 30) * DAY
        product = pick(rng, *(self.smart_products if key in APP_TOPICS else self.products))
        self.interaction(at, ci, key, product, "", reference, store)

    def interaction(self, at, ci, key, product_i, order, reference, store) -> None:
        rng, index = self.rng, self.index
        topic = self.topics[key]
        product = vocab.PRODUCTS[product_i]
        english = index.english[ci]
        region = vocab.REGIONS[index.region[ci]]
        subject, content = topic.render(rng, "en" if english else "zh", {
            "product": product.name_en if english else product.name,
            "order": order,
            "days": max(1, round((at - reference) / DAY)),
            "store": store,
            "drop": max(10, round(product.price * rng.choice((0.05, 0.08, 0.1, 0.15)))),
            "city": region.cities[index.city[ci]][0],
        })  # fmt: skip
        kind = InteractionKind(topic.kind)
        channel = pick(rng, *self.kind_channels[kind])
        outcome, closed, note = self.outcome(kind, topic, at, TEAM_KEYS[index.team[ci]])
        self_service = kind == InteractionKind.ORDER_CONFIRMATION and channel in (
            Channel.SMS,
            Channel.EMAIL,
        )
        handler = (
            None if self_service or rng.random() < 0.12 else self.ctx.agent_ids[index.team[ci]]
        )
        self.counts["interactions"] += 1
        number = code("I", self.counts["interactions"], self.widths["I"])
        if kind == InteractionKind.COMPLAINT:  # its case names the order and the category
            self.ctx.complaints[number] = (order, key)
        occurred = self.calendar.at(at)
        closed = self.calendar.at(closed) if closed is not None else None
        self.interactions.append((
            number, index.pk[ci], kind,
            channel, subject, content, outcome, note, handler,
            self.ctx.teams[index.team[ci]].pk, occurred, closed, occurred, closed or occurred,
        ))  # fmt: skip
        if (
            kind == InteractionKind.COMPLAINT
            and not index.complained[ci]
            and index.tag_count[ci] < 3
        ):
            index.complained[ci] = 1
            index.tag_count[ci] += 1
            self.tag_links.append((index.pk[ci], self.complaint_tag))
        if len(self.interactions) >= self.ctx.batch_size:
            self.flush_interactions()

    def outcome(self, kind, topic, at: int, team_key: str):
        """Old contacts are mostly closed, recent ones still open or escalated: a contact
        stays open until its drawn closing time, which may lie beyond the end."""
        rng = self.rng
        closed = at + 60 + int(HOURS_TO_CLOSE[kind] * HOUR * rng.lognormvariate(0, 0.9))
        if closed >= self.seconds:
            if (
                kind in (InteractionKind.COMPLAINT, InteractionKind.RETURN_REQUEST)
                and rng.random() < 0.35
            ):
                return Outcome.ESCALATED, None, ""
            return Outcome.OPEN, None, ""
        chance = rng.random()
        if kind in NOTHING_TO_DO:
            if chance < 0.5:
                return Outcome.NO_ACTION, closed, ""
            return Outcome.RESOLVED, closed, rng.choice(topic.notes)
        trouble = TEAM_TROUBLE[team_key] if kind == InteractionKind.COMPLAINT else 0.5
        if chance < 0.08 * trouble:
            return Outcome.UNRESOLVED, closed, rng.choice(UNRESOLVED_NOTES)
        if chance < 0.11 * trouble:
            return Outcome.ESCALATED, None, ""  # still with a specialist
        return Outcome.RESOLVED, closed, rng.choice(topic.notes)

    def flush_purchases(self) -> None:
        if not self.purchases:
            return
        self.counts["purchases"] += self.tables["purchases"].insert([r for r, _l in self.purchases])
        first, last = self.purchases[0][0][0], self.purchases[-1][0][0]
        pks = self.tables["purchases"].pks("external_id", first, last)
        product_ids = self.ctx.product_ids
        items = [
            (pk, product_ids[product], qty, money(cents))
            for pk, (_row, lines) in zip(pks, self.purchases, strict=True)
            for product, qty, cents in lines
        ]
        self.counts["purchase_items"] += self.tables["items"].insert(items)
        self.purchases = []

    def flush_interactions(self) -> None:
        self.tables["interactions"].insert(self.interactions)
        self.ctx.counts["customer_tags"] += self.tables["tags"].insert(self.tag_links)
        self.interactions, self.tag_links = [], []


def create_activity(ctx: Context) -> None:
    _Activity(ctx).run()
