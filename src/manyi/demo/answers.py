"""How demo respondents answer each template: a latent satisfaction per customer, plus what
each evaluated item adds (price is the weak point, service attitude the strong one; delivery in
the north is poor until an improvement half a year before the end), plus noise. Overall
satisfaction is driven most by product quality, delivery and after-sales, not by the stated
weights, so stated and derived importance differ, as they do in real studies."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from manyi.accounts.models import User
from manyi.surveys.answering import shown_questions
from manyi.surveys.choices import SurveyStatus
from manyi.surveys.models import Question, Survey
from manyi.surveys.services.design import survey_create_from_blueprint

from . import survey_texts
from .context import Context

DAY = 86400
# Mean score (1-5) an average customer gives each item; north-team customers rate delivery
# lower until the improvement IMPROVED_DAYS before the end.
ITEM_MEAN = {
    "product_quality": 4.0,
    "price": 3.3,
    "delivery": 3.8,
    "service_attitude": 4.2,
    "response_speed": 3.6,
    "after_sales": 3.5,
    "channels": 3.9,
    "brand": 4.0,
}
STATED_IMPORTANCE = {
    "product_quality": 4.7,
    "price": 4.4,
    "delivery": 4.1,
    "service_attitude": 3.9,
    "response_speed": 3.7,
    "after_sales": 4.2,
    "channels": 3.0,
    "brand": 3.3,
}
# What really moves overall satisfaction (sums to 1).
DRIVERS = {
    "product_quality": 0.30,
    "delivery": 0.20,
    "after_sales": 0.18,
    "price": 0.12,
    "service_attitude": 0.10,
    "response_speed": 0.06,
    "channels": 0.02,
    "brand": 0.02,
}
IMPROVED_DAYS = 180


def clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


class DemoSurvey:
    """One demo survey: its questions and how a customer of latent satisfaction `theta`
    answers it at time `t` (seconds since the start)."""

    def __init__(self, ctx: Context, key: str, owner: User):
        self.ctx = ctx
        self.rng = ctx.rng
        self.survey = survey_create_from_blueprint(user=owner, key=key)
        opened = ctx.start + dt.timedelta(days=3)
        Survey.objects.filter(pk=self.survey.pk).update(
            status=SurveyStatus.OPEN, opened_at=opened, created_at=opened - dt.timedelta(days=2)
        )
        version = self.survey.current_version
        version.locked_at = opened
        version.save(update_fields=["locked_at"])
        self.version_id = version.pk
        self.questions = list(
            Question.objects.filter(version=version).prefetch_related("items__dimension")
        )
        self.by_code = {q.code: q for q in self.questions}
        self.horizon = int((ctx.end - ctx.start).total_seconds())

    def items(self, theta: float, t: int, team: str) -> dict[str, int]:
        improved = t > self.horizon - IMPROVED_DAYS * DAY
        scores = {}
        for code, mean in ITEM_MEAN.items():
            if code == "delivery" and team == "north":
                mean += 0.25 if improved else -0.6
            scores[code] = clip(mean + theta + self.rng.gauss(0, 0.55), 1, 5)
        return scores

    def overall(self, theta: float, items: dict[str, int]) -> int:
        driven = sum(weight * items[code] for code, weight in DRIVERS.items())
        return clip(driven + 0.35 * theta + self.rng.gauss(0, 0.4), 1, 5)

    def comment(self, items: dict[str, int], positive: bool, english: bool) -> str:
        code = (max if positive else min)(items, key=lambda c: (items[c], c))
        pairs = survey_texts.COMMENTS[code][1 if positive else 0]
        zh, en = pairs[self.rng.randrange(len(pairs))]
        return en if english else zh

    def row(self, code: str, *, number=None, text="", choices=(), dimension=None, role="value"):
        question = self.by_code[code]
        # JSON text: the raw INSERT/COPY does not serialise a JSONField as the ORM does.
        return (question.pk, dimension, role, number, text, json.dumps(list(choices)))


def shown_and_answered(survey: DemoSurvey, rows: list[tuple]) -> tuple[int, int]:
    """(shown, answered) of a response, by the same skip logic the respondent pages use."""
    values: dict[str, object] = {}
    answered_ids = {row[0] for row in rows}
    by_pk = {q.pk: q for q in survey.questions}
    for question_pk, dimension, _role, number, text, choices in rows:
        code = by_pk[question_pk].code
        chosen = json.loads(choices)
        values[code] = True if dimension else number if number is not None else chosen or text
    shown = shown_questions(survey.questions, values)
    return len(shown), sum(1 for q in shown if q.pk in answered_ids)


# How each template is answered: rows (question, dimension id, role, number, text, choices).
# `who` carries theta, team, english and, for event surveys, what the event was.


@dataclass(frozen=True)
class Who:
    theta: float
    team: str
    english: bool
    t: int
    complaint: bool = False
    resolved: bool = True
    thorough: bool = True  # answers the optional questions too


def _full(s: DemoSurvey, who: Who, dims: dict[str, int]) -> list[tuple]:
    rng = s.rng
    items = s.items(who.theta, who.t, who.team)
    overall = s.overall(who.theta, items)
    rows = [s.row("overall", number=overall)]
    rows += [s.row("items", number=items[c], dimension=dims[c]) for c in ITEM_MEAN]
    if who.thorough:
        for code in ITEM_MEAN:
            importance = clip(STATED_IMPORTANCE[code] + rng.gauss(0, 0.6), 1, 5)
            rows.append(s.row("importance", number=importance, dimension=dims[code]))
        for item in s.by_code["gap"].items.all():
            code = item.dimension.code
            expected = clip(4.2 + rng.gauss(0, 0.55), 1, 5)
            rows.append(s.row("gap", number=expected, dimension=dims[code], role="expected"))
            rows.append(s.row("gap", number=items[code], dimension=dims[code], role="experienced"))
    intent = clip(overall * 0.85 + 0.7 + rng.gauss(0, 0.6), 1, 5)
    rows.append(s.row("repurchase", choices=[str(intent)]))
    rows.append(s.row("nps", number=clip(2.2 * overall - 0.3 + rng.gauss(0, 1.1), 0, 10)))
    if rng.random() < 0.45:
        rows.append(s.row("suggestions", text=s.comment(items, overall >= 4, who.english)))
    return rows


def _csat_purchase(s: DemoSurvey, who: Who, dims: dict[str, int]) -> list[tuple]:
    rng = s.rng
    items = s.items(who.theta, who.t, who.team)
    overall = s.overall(who.theta, items)
    rows = [s.row("overall", number=overall)]
    if not who.thorough:
        return rows
    rows.append(s.row("delivery", number=items["delivery"]))
    if overall <= 3 and rng.random() < 0.8:
        rows.append(s.row("why_low", text=s.comment(items, False, who.english)))
    intent = clip(overall * 0.85 + 0.7 + rng.gauss(0, 0.6), 1, 5)
    rows.append(s.row("repurchase", choices=[str(intent)]))
    return rows


_IMPROVE_OPTIONS = {
    "product_quality": "product_quality",
    "price": "price",
    "delivery": "delivery",
    "service_attitude": "service",
    "response_speed": "service",
    "after_sales": "after_sales",
}


def _nps(s: DemoSurvey, who: Who, dims: dict[str, int]) -> list[tuple]:
    rng = s.rng
    items = s.items(who.theta, who.t, who.team)
    score = clip(7.2 + 1.9 * who.theta + rng.gauss(0, 1.2), 0, 10)
    rows = [s.row("nps", number=score)]
    if who.thorough and rng.random() < 0.6:
        rows.append(s.row("nps_reason", text=s.comment(items, score >= 9, who.english)))
    if who.thorough:
        worst = sorted(_IMPROVE_OPTIONS, key=lambda c: (items[c], c))[: rng.randint(1, 2)]
        chosen = sorted({_IMPROVE_OPTIONS[c] for c in worst})
        rows.append(s.row("improve_first", choices=chosen))
    return rows


def _ces(s: DemoSurvey, who: Who, dims: dict[str, int]) -> list[tuple]:
    rng = s.rng
    items = s.items(who.theta, who.t, who.team)
    effort = 5.3 + 1.1 * who.theta - 0.9 * who.complaint - 1.2 * (not who.resolved)
    rows = [
        s.row("ces", number=clip(effort + rng.gauss(0, 0.9), 1, 7)),
        s.row("resolved", choices=["yes" if who.resolved else "no"]),
    ]
    if who.thorough:
        rows.append(s.row("agent_csat", number=items["service_attitude"]))
        if rng.random() < 0.3:
            positive = who.resolved and items["service_attitude"] >= 4
            rows.append(s.row("comment", text=s.comment(items, positive, who.english)))
    return rows


_EXIT_REASONS = ("price", "quality", "service", "delivery", "competitor", "no_need", "other")
_EXIT_WEIGHTS = (30, 18, 12, 10, 22, 14, 4)


def _exit(s: DemoSurvey, who: Who, dims: dict[str, int]) -> list[tuple]:
    rng = s.rng
    reasons = sorted(set(rng.choices(_EXIT_REASONS, _EXIT_WEIGHTS, k=rng.randint(1, 3))))
    rows = [s.row("reasons", choices=reasons)]
    if "competitor" in reasons:
        competitors = survey_texts.COMPETITORS
        rows.append(s.row("competitor", text=competitors[rng.randrange(len(competitors))]))
    if who.thorough and rng.random() < 0.5:
        zh, en = survey_texts.WIN_BACK[rng.randrange(len(survey_texts.WIN_BACK))]
        rows.append(s.row("win_back", text=en if who.english else zh))
    rows.append(s.row("return_likelihood", choices=[str(clip(2.2 + who.theta, 1, 5))]))
    return rows


ANSWERERS = {
    "full_satisfaction": _full,
    "csat_purchase": _csat_purchase,
    "nps_relationship": _nps,
    "ces_service": _ces,
    "exit": _exit,
}
