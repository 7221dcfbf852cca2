"""Open comments of demo respondents, by evaluated item and tone, in both languages, so that
the text analysis later finds real themes and sentiment in them."""

from __future__ import annotations

# item code -> (negative comments, positive comments), each as (Chinese, English) pairs.
COMMENTS: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "product_quality": (
        (
            (
                "用了不到一个月就出现故障，质量太让人失望了。",
                "It broke down within a month; the quality is disappointing.",
            ),
            ("做工粗糙，外壳有明显划痕。", "Poor workmanship, the casing was scratched."),
            (
                "噪音比宣传的大很多，晚上根本没法用。",
                "Much noisier than advertised, unusable at night.",
            ),
        ),
        (
            (
                "产品质量很好，用了半年没出过任何问题。",
                "Great quality, no problems in six months of use.",
            ),
            ("做工精细，比预期的还要好。", "Well made, better than I expected."),
            ("性能稳定，效果明显，值得推荐。", "Reliable and effective, I recommend it."),
        ),
    ),
    "price": (
        (
            (
                "价格偏贵，同类产品别家便宜不少。",
                "Too expensive; similar products cost much less elsewhere.",
            ),
            (
                "刚买完就降价了，也不给补差价。",
                "The price dropped right after I bought it and no refund of the difference.",
            ),
            ("配件和滤芯太贵了，用不起。", "Spare parts and filters are far too expensive."),
        ),
        (
            ("性价比很高，活动价很划算。", "Great value for money, the sale price was a bargain."),
            ("价格合理，物有所值。", "Fair price, worth every yuan."),
        ),
    ),
    "delivery": (
        (
            ("物流太慢了，等了一个多星期才到。", "Delivery was far too slow, more than a week."),
            (
                "快递员没打电话就把包裹放在门口。",
                "The courier left the parcel at the door without calling.",
            ),
            (
                "送货时间一再推迟，也没有人通知我。",
                "The delivery date kept slipping and nobody told me.",
            ),
            ("包装破损，箱子都压扁了。", "The packaging was damaged, the box was crushed."),
        ),
        (
            ("发货很快，第二天就收到了。", "Fast shipping, it arrived the next day."),
            (
                "送货准时，师傅还帮忙搬上楼。",
                "Delivered on time and the driver carried it upstairs.",
            ),
        ),
    ),
    "service_attitude": (
        (
            ("客服态度冷淡，问什么都敷衍。", "The support staff were cold and brushed me off."),
            (
                "电话里被转了好几次，没人愿意负责。",
                "I was transferred several times and nobody took responsibility.",
            ),
        ),
        (
            (
                "客服非常耐心，解释得很清楚。",
                "The agent was very patient and explained everything clearly.",
            ),
            ("服务态度特别好，让人很舒心。", "Very friendly service, a pleasant experience."),
            ("安装师傅很专业，也很有礼貌。", "The installer was professional and polite."),
        ),
    ),
    "response_speed": (
        (
            (
                "在线客服排队半个小时都没人回复。",
                "Waited half an hour in the chat queue without a reply.",
            ),
            ("邮件三天都没有回复。", "No reply to my email for three days."),
        ),
        (
            (
                "问题提交后很快就有人联系我。",
                "Someone contacted me soon after I reported the issue.",
            ),
            ("客服回复非常及时。", "The support team answered very quickly."),
        ),
    ),
    "after_sales": (
        (
            ("售后维修拖了两周还没修好。", "After-sales repair has dragged on for two weeks."),
            ("退货流程太复杂，来回折腾好几次。", "The return process is far too complicated."),
            (
                "保修范围说不清楚，维修还要额外收费。",
                "The warranty terms are unclear and repairs cost extra.",
            ),
        ),
        (
            (
                "售后处理很快，直接给我换了新机。",
                "After-sales was quick, they replaced it with a new one.",
            ),
            ("退款很快就到账了，很放心。", "The refund arrived quickly, very reassuring."),
        ),
    ),
    "channels": (
        (
            (
                "App 经常闪退，找不到客服入口。",
                "The app keeps crashing and I can't find how to contact support.",
            ),
            ("热线电话总是打不通。", "The hotline is always busy."),
        ),
        (
            (
                "微信小程序下单和咨询都很方便。",
                "Ordering and asking questions in the mini-program is easy.",
            ),
            (
                "App 操作简单，查询订单很方便。",
                "The app is simple to use and tracking orders is easy.",
            ),
        ),
    ),
    "brand": (
        (("品牌名气大，但名不副实。", "A big name, but it doesn't live up to it."),),
        (
            (
                "一直很信任这个品牌，家里好几件都是你们的。",
                "I've trusted this brand for years; we have several of your products.",
            ),
            ("品牌口碑好，朋友推荐买的。", "Good reputation, a friend recommended it."),
        ),
    ),
}

# Brands that lost customers mention in the exit survey.
COMPETITORS = ("小米", "美的", "格力", "海尔", "戴森 Dyson", "飞利浦 Philips", "科沃斯")

WIN_BACK = (
    ("价格再优惠一些我会考虑回来。", "A better price would bring me back."),
    ("如果售后能做得更好，我愿意再试试。", "Better after-sales service and I'd try again."),
    ("希望产品质量更稳定。", "More reliable products."),
    ("送货能准时的话可以考虑。", "If deliveries were on time, I'd consider it."),
    ("暂时没有需要了。", "I don't need anything at the moment."),
)
