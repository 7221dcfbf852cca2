"""Assemble the satisfaction report of one survey and period into one frozen dataclass.

Every number comes from `analytics.figures` / `analytics.queries` (the single source of survey
numbers) with the user's access scope, so the page, the Excel file, the PDF and the mailed
report show the same figures. Sentences are translated in the language active while building.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.metrics.drivers import FIX_FIRST
from manyi.metrics.scores import Estimate
from manyi.surveys.choices import QuestionType, ResponseChannel, ResponseStatus
from manyi.surveys.models import Answer, Invitation, Response, Survey

from .. import counts, figures, sql
from ..figures import Change, ItemAnalysis, TrendPoint
from ..models import ReportNote
from ..queries import Filters, day_instants, response_totals

TARGET = 80.0  # item satisfaction (%) below which an item is listed as below target
MAX_COMMENTS = 30
COMMENT_COUNT_CAP = 1000  # comments counted beyond this show as "1,000+"
QUADRANT_LABELS = {
    "fix_first": gettext_lazy("Fix first"),
    "keep_up": gettext_lazy("Keep up"),
    "low_priority": gettext_lazy("Low priority"),
    "possible_overkill": gettext_lazy("Possible overkill"),
}


def estimate_text(estimate: Estimate, digits: int = 1, unit: str = "") -> str:
    """ "estimate [low – high], n": how every figure is written outside HTML."""
    if estimate.value is None:
        return "—"
    text = f"{estimate.value:.{digits}f}{unit}"
    if estimate.low is not None and estimate.high is not None:
        text += f" [{estimate.low:.{digits}f} – {estimate.high:.{digits}f}]"
    return f"{text}, n = {estimate.n}"


@dataclass(frozen=True)
class Method:
    survey_title: str
    channels: tuple[str, ...]  # labels of the channels responses came through
    validity_percent: float  # share of shown questions a valid response answers
    text: str


@dataclass(frozen=True)
class Sample:
    delivered: int  # invitations delivered in the period
    answered: int  # of those, answered (submitted)
    submitted: int  # every submitted response in the period, any channel
    valid: int
    response_rate: float | None  # %, answered / delivered
    valid_rate: float | None  # %, valid / submitted


@dataclass(frozen=True)
class Comment:
    submitted_at: dt.datetime
    question: str
    text: str


@dataclass(frozen=True)
class SatisfactionReport:
    survey_id: int
    title: str
    since: dt.date
    until: dt.date
    language: str
    method: Method
    sample: Sample
    change: Change  # .current is the period's headline, .previous the period before
    items: ItemAnalysis
    trend: tuple[TrendPoint, ...]
    trend_period: str  # "week" or "month"
    findings: tuple[str, ...]
    comments: tuple[Comment, ...]
    recommendations: str  # written by an analyst for this period; empty when none was
    generated_at: dt.datetime
    min_sample: int
    comments_total: int = 0  # every comment of the period; `comments` holds the latest ones
    # When no recommendation was written: what the figures suggest, marked as such.
    suggested: tuple[str, ...] = ()

    @property
    def comments_cut(self) -> bool:
        return self.comments_total > len(self.comments)

    @property
    def comments_total_label(self) -> str:
        """How many comments the period has, "1,000+" beyond the count's cap."""
        if self.comments_total > COMMENT_COUNT_CAP:
            return f"{COMMENT_COUNT_CAP:,}+"
        return f"{self.comments_total:,}"

    @property
    def headline(self):
        return self.change.current

    @property
    def below_target(self):
        return tuple(r for r in self.items.rows if r.below_target)

    @property
    def gaps(self):
        return tuple(r for r in self.items.rows if r.gap is not None)

    @property
    def previous_since(self) -> dt.date:
        return self.since - (self.until - self.since + dt.timedelta(days=1))


def join_names(names, language: str) -> str:
    """A list in running text: 价格、配送 in Chinese, "price, delivery" in English."""
    return ("、" if language.startswith("zh") else ", ").join(str(n) for n in names)


def _percent(part: int, whole: int) -> float | None:
    return part / whole * 100 if whole else None


def _in_period(since: dt.date, until: dt.date, field: str) -> dict:
    """The period's local days as a range of instants, so that an index on `field` serves
    it (a filter on the time-zone-truncated date cannot use one)."""
    period = {}
    start, end = day_instants(since, until)
    if start:
        period[f"{field}__gte"] = start
    if end:
        period[f"{field}__lt"] = end
    return period


def report_responses(*, survey: Survey, since: dt.date, until: dt.date, user) -> QuerySet:
    """Submitted responses of the period that `user` may see: the report's Data sheet."""
    return (
        Response.objects.visible_to(user)
        .filter(survey=survey, status=ResponseStatus.SUBMITTED)
        .filter(**_in_period(since, until, "submitted_at"))
    )


def _sample(survey: Survey, filters: Filters, user) -> Sample:
    delivered = Invitation.objects.visible_to(user).filter(
        survey=survey, **_in_period(filters.since, filters.until, "delivered_at")
    )
    answered = delivered.filter(response__status=ResponseStatus.SUBMITTED).count()
    totals = response_totals(filters).get(None)
    submitted, valid = (totals.submitted, totals.valid) if totals else (0, 0)
    n_delivered = delivered.count()
    return Sample(
        delivered=n_delivered,
        answered=answered,
        submitted=submitted,
        valid=valid,
        response_rate=_percent(answered, n_delivered),
        valid_rate=_percent(valid, submitted),
    )


def _method(survey: Survey, filters: Filters, language: str, items: ItemAnalysis) -> Method:
    channels = tuple(
        str(ResponseChannel(c).label) if c in ResponseChannel.values else c
        for c in sorted(response_totals(filters, group_by="channel"))
    )
    validity = float(survey.validity_min_share) * 100
    text = _(
        "Survey “%(title)s”, responses submitted from %(since)s to %(until)s through %(channels)s. "
        "A response is valid when it answers at least %(validity).0f %% of the questions it "
        "showed; only valid responses are counted. Item satisfaction is the mean score as a "
        "share of the scale maximum (100/80/60/40/20 points on a five-point scale); the overall "
        "index (CSI) is the weighted mean of item satisfaction, with the item weights of the "
        "questionnaire version answered; its interval takes the respondent as the unit, since "
        "one respondent's item ratings go together. Each figure is shown as "
        "estimate [95 %% interval], n; figures with fewer than %(min)d answers are marked."
    ) % {
        "title": survey.title(language),
        "since": filters.since.isoformat(),
        "until": filters.until.isoformat(),
        "channels": join_names(channels, language) or _("no channel"),
        "validity": validity,
        "min": settings.MANYI_MIN_SAMPLE,
    }
    if items.combined:
        text += " " + _(
            "The responses answered %(n)d versions that weigh the items differently: each "
            "version's index is computed with its own weights, and the CSI is their average "
            "weighted by respondents."
        ) % {"n": len(items.weight_sets)}
    return Method(survey.title(language), channels, validity, text)


def _change_sentences(change: Change) -> list[str]:
    names = {"csat": _("CSAT"), "nps": _("NPS"), "ces": _("CES")}
    pairs = {
        "csat": (change.previous.csat, change.current.csat),
        "nps": (change.previous.nps, change.current.nps),
        "ces": (change.previous.ces, change.current.ces),
    }
    sentences = []
    for key, test in (("csat", change.csat), ("nps", change.nps), ("ces", change.ces)):
        before, after = pairs[key]
        if not test.significant or before.value is None or after.value is None:
            continue
        template = (
            _("%(name)s rose from %(before).1f to %(after).1f against the previous period")
            if after.value > before.value
            else _("%(name)s fell from %(before).1f to %(after).1f against the previous period")
        )
        sentence = template % {"name": names[key], "before": before.value, "after": after.value}
        sentences.append(
            _("%(sentence)s (p = %(p).3f, significant at 95 %%).")
            % {"sentence": sentence, "p": test.p_value}
        )
    if not sentences and any(e.value is not None for e, _x in pairs.values()):
        sentences.append(
            _("No change of CSAT, NPS or CES against the previous period is significant at 95 %.")
        )
    return sentences


def _findings(items: ItemAnalysis, change: Change, language: str) -> tuple[str, ...]:
    findings = []
    if items.csi.value is not None:
        sentence = _("The overall satisfaction index (CSI) is %(figure)s.") % {
            "figure": estimate_text(items.csi, unit=" %")
        }
        if not items.csi.reliable:
            sentence += " " + _("Fewer answers than the minimum: read it with care.")
        findings.append(sentence)
    scored = [r for r in items.rows if r.satisfaction.value is not None]
    if scored:
        lowest = join_names(
            (f"{r.name} ({r.satisfaction.value:.1f} %)" for r in scored[:3]), language
        )
        findings.append(_("Least satisfied items: %(items)s.") % {"items": lowest})
        below = [r for r in scored if r.below_target]
        if below:
            findings.append(
                _(
                    "%(count)d of %(total)d items are below the target of %(target).0f %%: "
                    "%(items)s."
                )
                % {
                    "count": len(below),
                    "total": len(scored),
                    "target": items.target,
                    "items": join_names((r.name for r in below), language),
                }
            )
        else:
            findings.append(
                _("Every item reaches the target of %(target).0f %%.") % {"target": items.target}
            )
    findings.extend(_change_sentences(change))
    fix_first = [r.name for r in items.rows if r.quadrant == FIX_FIRST]
    if fix_first:
        findings.append(
            _("Fix first (important to customers, below the average score): %(items)s.")
            % {"items": join_names(fix_first, language)}
        )
    shortfalls = [r for r in items.rows if r.gap is not None and r.gap < 0]
    if shortfalls:
        worst = min(shortfalls, key=lambda r: r.gap)
        findings.append(
            _("The largest shortfall against expectations is %(item)s: %(gap).2f points.")
            % {"item": worst.name, "gap": worst.gap}
        )
    return tuple(findings)


def _comments(survey: Survey, since: dt.date, until: dt.date, user, language: str):
    """The latest MAX_COMMENTS open comments, and how many the period has in all, counted up
    to COMMENT_COUNT_CAP + 1 (the report says when it shows only some). Both read the
    period's responses newest first through the index on the submission time, and their
    answers per response: at ten million answers a count of every comment took 0.5 s."""
    responses = report_responses(survey=survey, since=since, until=until, user=user)
    valid = responses.filter(is_valid=True).order_by().values("id", "submitted_at")
    inner, params = valid.query.sql_with_params()
    comments = (
        f"FROM ({inner}) rr {sql.answers_of('rr', counts.ANSWERS)} "
        f"JOIN {counts.QUESTIONS} q ON q.id = a.question_id "
        "WHERE q.type IN (%s, %s) AND a.text <> ''"
    )
    kinds = [str(QuestionType.LONG_TEXT), str(QuestionType.SHORT_TEXT)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id {comments} ORDER BY rr.submitted_at DESC, a.id DESC LIMIT %s",
            [*params, *kinds, MAX_COMMENTS],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 AS one {comments} LIMIT %s) AS capped",
            [*params, *kinds, COMMENT_COUNT_CAP + 1],
        )
        total = cursor.fetchone()[0]
    by_id = Answer.objects.select_related("question", "response").in_bulk(ids)
    latest = tuple(
        Comment(by_id[pk].response.submitted_at, by_id[pk].question.text(language), by_id[pk].text)
        for pk in ids
    )
    return latest, total


def suggested_recommendations(items: ItemAnalysis) -> tuple[str, ...]:
    """What the figures suggest doing, for a report whose analyst wrote nothing: the items
    below target, the most important first (derived importance where known, else weight)."""
    below = [r for r in items.rows if r.below_target and r.satisfaction.value is not None]
    if not below and any(r.satisfaction.value is not None for r in items.rows):
        return (
            _(
                "Every evaluated item reaches the target of %(target).0f %%: keep the current "
                "service level and watch the trend for drops."
            )
            % {"target": items.target},
        )

    def importance(row) -> float:
        return row.derived if row.derived is not None else row.weight

    suggestions = []
    for row in sorted(below, key=importance, reverse=True)[:3]:
        suggestions.append(
            _(
                "Improve %(item)s first: %(score).1f %% satisfied against a target of "
                "%(target).0f %%, weight %(weight).2f%(derived)s."
            )
            % {
                "item": row.name,
                "score": row.satisfaction.value,
                "target": items.target,
                "weight": row.weight,
                "derived": ""
                if row.derived is None
                else _("; it explains %(share).0f %% of overall satisfaction")
                % {"share": row.derived * 100},
            }
        )
    return tuple(suggestions)


def recommendations_for(*, survey: Survey, since: dt.date, until: dt.date) -> str:
    note = ReportNote.objects.filter(survey=survey, since=since, until=until).first()
    return note.recommendations if note else ""


def report_build(
    *, survey: Survey, since: dt.date, until: dt.date, user, language: str
) -> SatisfactionReport:
    """The report of `survey` for responses submitted from `since` to `until` (local dates,
    both included), as `user` may see it."""
    if since > until:
        raise ValueError("since must not be after until")
    filters = Filters(survey_ids=(survey.pk,), since=since, until=until).for_user(user)
    change = figures.change(filters)
    items = figures.item_analysis(filters, language=language, target=TARGET)
    trend_period = "week" if (until - since).days <= 62 else "month"
    comments, comments_total = _comments(survey, since, until, user, language)
    written = recommendations_for(survey=survey, since=since, until=until)
    return SatisfactionReport(
        survey_id=survey.pk,
        title=survey.title(language),
        since=since,
        until=until,
        language=language,
        method=_method(survey, filters, language, items),
        sample=_sample(survey, filters, user),
        change=change,
        items=items,
        trend=tuple(figures.trend(filters, trend_period)),
        trend_period=trend_period,
        findings=_findings(items, change, language),
        comments=comments,
        comments_total=comments_total,
        recommendations=written,
        suggested=() if written.strip() else suggested_recommendations(items),
        generated_at=timezone.now(),
        min_sample=settings.MANYI_MIN_SAMPLE,
    )
