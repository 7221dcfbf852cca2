"""Improvement actions of the demo, checked against its own answers.

The demo's answers tell one improvement story (`answers.DemoSurvey.items`): delivery in the
north team's regions got better `IMPROVED_DAYS` ago. One action is that fix, with everyone
else as the comparison group; one is a change of price communication in Guangdong that the
answers never reflected; one, calling back the north's complainers, is still being done.
The first two are checked as a user would check them, so their verdicts are the numbers'
own: the first worked, the second goes back to plan."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from manyi.improvement import services
from manyi.improvement.choices import Comparison, FindingKind, Metric, Stage
from manyi.improvement.models import Entry, Improvement
from manyi.surveys.models import Dimension

from .answers import IMPROVED_DAYS
from .context import Context

WINDOW = 90  # days, before and after


def create_improvements(ctx: Context) -> None:
    analyst = get_user_model().objects.filter(username="analyst").first()
    north = next(t for t in ctx.teams if t.name == "华北服务组")
    changed = (ctx.end - dt.timedelta(days=IMPROVED_DAYS)).date()  # in the answers' story
    dimensions = {d.code: d for d in Dimension.objects.filter(code__in=["delivery", "price"])}
    day = dt.timedelta(days=1)

    def windows(do: dt.date) -> dict:
        """The 90 days before the work started, and 90 days from a month after it."""
        after = do + dt.timedelta(days=30)
        return {
            "before_since": do - WINDOW * day, "before_until": do - day,
            "after_since": after, "after_until": after + (WINDOW - 1) * day,
        }  # fmt: skip

    delivery = Improvement.objects.create(
        title="华北配送时效提升",
        finding_kind=FindingKind.ITEM_BELOW_TARGET,
        finding="“配送”满意度在华北服务组的客户中最低，低于目标。",
        problem="华北地区配送慢，客户对配送的评价明显低于其他地区。",
        root_cause="华北仓只有一个发货点，偏远城市依赖第三方转运。",
        plan="在郑州增设前置仓；与两家快递签订时效协议；超时自动补偿优惠券。",
        department="物流部",
        owner=analyst,
        due=changed,
        stage=Stage.DO,
        metric=Metric.ITEM,
        dimension=dimensions.get("delivery"),
        scope="team",
        scope_value=str(north.pk),
        comparison=Comparison.REST,
        target=4,
        created_by=analyst,
        **windows(changed),
    )
    price = Improvement.objects.create(
        title="广东门店价格说明",
        finding_kind=FindingKind.LAGGING_GROUP,
        finding="广东客户对“价格”的评价偏低。",
        problem="客户觉得价格不透明，门店促销规则难以理解。",
        root_cause="门店价签与线上价格不一致。",
        plan="统一价签格式，门店张贴促销规则说明。",
        department="零售运营部",
        owner=analyst,
        due=changed - 60 * day,
        stage=Stage.DO,
        metric=Metric.ITEM,
        dimension=dimensions.get("price"),
        scope="region",
        scope_value="广东",
        comparison=Comparison.REST,
        target=3.6,
        created_by=analyst,
        **windows(changed - 60 * day),
    )
    running = ctx.until - 20 * day
    complaints = Improvement.objects.create(
        title="华北投诉回访",
        finding_kind=FindingKind.LAGGING_GROUP,
        finding="华北服务组客户的投诉率高于其他地区。",
        problem="投诉多，且多为重复投诉。",
        plan="投诉 24 小时内电话回访，主动告知处理进度和新的配送时效。",
        department="客服部",
        owner=analyst,
        due=running + 60 * day,
        stage=Stage.DO,
        metric=Metric.COMPLAINT_RATE,
        scope="team",
        scope_value=str(north.pk),
        comparison=Comparison.REST,
        created_by=analyst,
        before_since=running - 60 * day,
        before_until=running - day,
        after_since=running,
        after_until=running + 59 * day,
    )
    for action, started in ((delivery, changed), (price, changed - 60 * day),
                            (complaints, running)):  # fmt: skip
        Entry.objects.create(
            improvement=action, author=analyst, stage_from=Stage.PLAN, stage_to=Stage.DO,
            at=dt.datetime.combine(started, dt.time(9), tzinfo=ctx.tz),
            note="计划已批准，开始执行。",
        )  # fmt: skip
    checked = 0
    for action in (delivery, price):
        if action.after_until < dt.date.today():
            services.check(action, user=analyst)
            checked += 1
    ctx.counts.update(improvement_actions=3, improvement_checks=checked)
