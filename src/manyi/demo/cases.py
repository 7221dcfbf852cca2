"""Cases of the demo: rules on the demo surveys, a case for every complaint interaction and
every detractor of the last months, worked the way a service team works them (answered,
waiting for the customer, resolved with a root cause, a few reopened), and the SLA
evaluation run at the end of the data, so some open cases are late and escalated."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from manyi.accounts.models import Team, User
from manyi.cases import sla
from manyi.cases.calendars import add_china_holidays, default_calendar
from manyi.cases.choices import CaseType, EntryKind, RuleKind, Severity, Source, Status
from manyi.cases.models import Case, CaseEntry, CaseRule, Category
from manyi.customers.choices import InteractionKind, Outcome
from manyi.customers.models import Interaction, Purchase
from manyi.surveys.choices import MatrixMeasure, QuestionType
from manyi.surveys.models import Answer, Dimension, Question, Survey

from .context import Context

DETRACTOR_DAYS = 120  # detractors of the last months open cases (older ones: long settled)
ROOT_CAUSES = (
    ("快递延误，承运商分拣中心积压", "已补发并赠送优惠券，向承运商提出索赔"),
    ("商品在运输中破损，包装不足", "已换新，并加强了易碎品包装"),
    ("客服首次回复不及时，排班不足", "已致电道歉，调整了晚间排班"),
    ("安装预约时间未兑现", "已重新上门安装，并补偿服务费"),
    ("价格调整后未及时通知客户", "已退还差价，完善了调价通知流程"),
)
REPLIES = (
    "您好，非常抱歉给您带来不便，我们已经在处理，今天内给您答复。",
    "已电话联系客户，说明了处理方案，客户表示认可。",
    "已为您安排补发，快递单号稍后短信通知您。",
)


def _rules() -> list[CaseRule]:
    rules = []
    for survey in Survey.objects.all():
        types = set(Question.objects.filter(version__survey=survey).values_list("type", flat=True))
        if QuestionType.NPS in types:
            rules.append(CaseRule(survey=survey, kind=RuleKind.NPS_DETRACTOR))
        if QuestionType.CSAT in types:
            rules.append(CaseRule(survey=survey, kind=RuleKind.CSAT_LOW, severity=Severity.HIGH))
        if QuestionType.MATRIX in types:
            rules.append(CaseRule(survey=survey, kind=RuleKind.ITEM_LOW, severity=Severity.LOW))
    return CaseRule.objects.bulk_create(rules)


def _work(ctx: Context, case: Case, calendars: sla.Calendars, entries: list) -> None:
    """Answer, maybe wait for the customer, resolve (a few reopened and resolved again), or
    leave open if it is recent. In memory: the timers follow each step."""
    rng, end = ctx.rng, ctx.end
    age = end - case.opened_at
    entries.append(("status", case.opened_at, "", case.status, ""))
    answered = case.opened_at + dt.timedelta(hours=rng.choice((0.5, 1, 2, 3, 5, 9, 30)))
    if answered >= end or (age < dt.timedelta(days=2) and rng.random() < 0.4):
        return  # not answered yet
    sla.responded(case, answered, calendars)
    before, case.status = case.status, Status.IN_PROGRESS
    sla.follow(case, before, answered, calendars)
    entries.append(("reply", answered, rng.choice(REPLIES), "", ""))
    resolved = answered + dt.timedelta(hours=rng.choice((2, 5, 20, 26, 50, 100)))
    if resolved >= end or (age < dt.timedelta(days=6) and rng.random() < 0.5):
        if rng.random() < 0.3:
            before, case.status = case.status, Status.WAITING
            sla.follow(case, before, answered + dt.timedelta(hours=1), calendars)
            entries.append(("status", answered + dt.timedelta(hours=1), "", Status.WAITING, before))
        return
    cause, done = rng.choice(ROOT_CAUSES)
    before, case.status = case.status, Status.RESOLVED
    case.resolved_at, case.root_cause, case.resolution = resolved, cause, done
    sla.follow(case, before, resolved, calendars)
    entries.append(("status", resolved, done, Status.RESOLVED, before))
    if rng.random() < 0.06 and resolved + dt.timedelta(days=3) < end:  # "not solved"
        again = resolved + dt.timedelta(days=2)
        case.status, case.reopened_count, case.resolved_at = Status.REOPENED, 1, None
        sla.follow(case, Status.RESOLVED, again, calendars)
        entries.append(
            ("status", again, "客户回访表示问题未解决", Status.REOPENED, Status.RESOLVED)
        )
        back = again + dt.timedelta(hours=rng.choice((3, 8, 30)))
        if back < end:
            case.status, case.resolved_at = Status.RESOLVED, back
            sla.follow(case, Status.REOPENED, back, calendars)
            entries.append(("status", back, "二次处理完成", Status.RESOLVED, Status.REOPENED))
    elif resolved + dt.timedelta(days=7) < end:
        case.status, case.closed_at = Status.CLOSED, resolved + dt.timedelta(days=7)
        entries.append(("status", case.closed_at, "", Status.CLOSED, Status.RESOLVED))


def _save(cases: list[Case], works: list[list]) -> None:
    created = Case.objects.bulk_create(cases, batch_size=2000)
    rows = []
    for case, steps in zip(created, works, strict=True):
        for kind, at, body, status_to, status_from in steps:
            rows.append(
                CaseEntry(
                    case=case,
                    kind=EntryKind.REPLY if kind == "reply" else EntryKind.STATUS,
                    author_id=case.owner_id,
                    body=body,
                    reply_channel="phone" if kind == "reply" else "",
                    status_to=status_to,
                    status_from=status_from,
                    created_at=at,
                )
            )
    CaseEntry.objects.bulk_create(rows, batch_size=5000)


# The evaluated item a demo complaint's topic is about (its case's category).
COMPLAINT_ITEMS = {
    "complaint:delivery_late": "delivery",
    "complaint:defect": "product_quality",
    "complaint:app_connect": "product_quality",
    "complaint:price_drop": "price",
    "complaint:after_sales": "after_sales",
    "complaint:installation": "after_sales",
    "complaint:service_attitude": "service_attitude",
    "complaint:marketing": "brand",
}


def create_cases(ctx: Context) -> None:
    add_china_holidays(default_calendar(), ctx.until.year - 1)
    add_china_holidays(default_calendar(), ctx.until.year)
    manager = User.objects.filter(username="analyst").first()
    Team.objects.update(manager=manager)
    rules = {(r.survey_id, r.kind): r for r in _rules()}
    calendars = sla.Calendars()
    owners = {team.pk: agent for team, agent in zip(ctx.teams, ctx.agent_ids, strict=True)}
    cases, works = [], []

    def add(case: Case) -> None:
        case.owner_id = owners.get(case.team_id) if ctx.rng.random() < 0.8 else None
        case.status = Status.ASSIGNED if case.owner_id else Status.NEW
        sla.start(case, case.opened_at, calendars)
        steps: list = []
        _work(ctx, case, calendars, steps)
        cases.append(case)
        works.append(steps)

    complaints = Interaction.objects.filter(kind=InteractionKind.COMPLAINT).select_related(
        "customer"
    )
    topic_categories = {
        key: Category.of_dimension(dimension)
        for dimension in Dimension.objects.filter(code__in=set(COMPLAINT_ITEMS.values()))
        for key, code in COMPLAINT_ITEMS.items()
        if code == dimension.code
    }
    orders = dict(
        Purchase.objects.filter(
            external_id__in={order for order, _key in ctx.complaints.values() if order}
        ).values_list("external_id", "pk")
    )
    for item in complaints.order_by("pk").iterator(chunk_size=2000):
        order, key = ctx.complaints.get(item.external_id, ("", ""))
        category = topic_categories.get(key)
        add(
            Case(
                category=category,
                purchase_id=orders.get(order),
                case_type=CaseType.COMPLAINT,
                channel=item.channel,
                source=Source.INTERACTION,
                subject=(item.subject or item.content.split("\n")[0] or "投诉")[:200],
                description=item.content,
                customer_id=item.customer_id,
                interaction_id=item.pk,
                team_id=item.team_id or item.customer.team_id,
                opened_at=item.occurred_at,
            )
        )
    since = ctx.end - dt.timedelta(days=DETRACTOR_DAYS)
    low = Answer.objects.filter(
        response__status="submitted",
        response__submitted_at__gte=since,
        response__customer__isnull=False,
    ).select_related("response", "response__customer", "question", "dimension")
    nps = low.filter(question__type=QuestionType.NPS, number__lte=6)
    csat = low.filter(question__type=QuestionType.CSAT, dimension__isnull=True, number__lte=2)
    items = low.filter(
        question__type=QuestionType.MATRIX,
        question__measure=MatrixMeasure.SATISFACTION,
        number=1,
    )
    seen: set[tuple[int, str]] = set()
    categories: dict[int, Category] = {}
    for kind, answers in (
        (RuleKind.NPS_DETRACTOR, nps),
        (RuleKind.CSAT_LOW, csat),
        (RuleKind.ITEM_LOW, items),
    ):
        for answer in answers.order_by("response_id", "pk").iterator(chunk_size=2000):
            response = answer.response
            rule = rules.get((response.survey_id, kind))
            if rule is None or (response.pk, kind) in seen:
                continue
            seen.add((response.pk, kind))
            category = None
            if kind == RuleKind.ITEM_LOW:
                if answer.dimension_id not in categories:
                    categories[answer.dimension_id] = Category.of_dimension(answer.dimension)
                category = categories[answer.dimension_id]
                subject = f"评为 1 分：{answer.dimension.name_zh}"
            else:
                label = "NPS" if kind == RuleKind.NPS_DETRACTOR else "CSAT"
                subject = f"{label} {answer.number} 分"
            add(
                Case(
                    case_type=CaseType.COMPLAINT,
                    severity=rule.severity,
                    channel="web",
                    source=Source.SURVEY,
                    subject=subject,
                    customer_id=response.customer_id,
                    team_id=response.customer.team_id,
                    response_id=response.pk,
                    answer_id=answer.pk,
                    rule=rule,
                    category=category,
                    opened_at=response.submitted_at,
                )
            )
    _save(cases, works)
    # Complaint interactions follow their cases (one source of truth).
    linked = Case.objects.filter(interaction=OuterRef("pk"))
    Interaction.objects.filter(kind=InteractionKind.COMPLAINT).filter(Exists(linked)).exclude(
        case__status__in=["resolved", "closed"]
    ).update(outcome=Outcome.OPEN, closed_at=None)
    sla.evaluate(ctx.end)
    ctx.counts.update(cases=len(cases))
