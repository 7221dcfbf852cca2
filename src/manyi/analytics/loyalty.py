"""Satisfaction vs. loyalty: how repurchase intent and recommendation move with overall
satisfaction. It needs each respondent's answers side by side, which rollups do not
keep, so it reads the answers of a sample: the most recent SAMPLE valid responses in the cut
to questionnaires asking the overall question (`queries.recent_sample`, like derived
importance in `figures`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from manyi.metrics.scores import Estimate, mean, nps, proportion
from manyi.surveys.choices import QuestionType
from manyi.surveys.models import Answer

from .queries import Filters, catalogue, recent_sample

SAMPLE = 5_000  # as derived importance: enough for five levels, fast at any size
REPURCHASE_CODE = "repurchase"
INTENT_YES = frozenset({"4", "5"})  # "definitely" and "probably"
LEVELS = range(1, 6)


@dataclass(frozen=True)
class LoyaltyRow:
    level: int  # overall satisfaction, 1-5
    n: int  # respondents at this level
    repurchase: Estimate  # % intending to buy again (4-5), of those who answered it
    nps_mean: Estimate  # mean likelihood to recommend, 0-10
    nps: Estimate  # NPS of the level's respondents


@dataclass(frozen=True)
class Loyalty:
    rows: tuple[LoyaltyRow, ...]  # levels 1..5
    respondents: int
    capped: bool  # True when only the most recent SAMPLE responses were read


def satisfaction_vs_loyalty(filters: Filters) -> Loyalty:
    """Per overall satisfaction level (5-point overall CSAT questions), the share intending to
    repurchase and the recommendation figures, over responses that answered the overall
    question and at least one of the loyalty questions. `filters` must be scoped with
    `for_user`."""
    cat = catalogue(filters.survey_ids)
    overall_codes = cat.csat.get(5, ())
    if not overall_codes:
        return Loyalty(_empty_rows(), 0, False)
    sample, capped = recent_sample(filters, overall_codes, SAMPLE)
    answers = Answer.objects.filter(response_id__in=sample, dimension__isnull=True)
    overall = answers.filter(
        question__code__in=overall_codes, question__type=QuestionType.CSAT, number__isnull=False
    )
    by_response: dict[int, dict] = defaultdict(dict)
    for response_id, number in overall.values_list("response_id", "number"):
        by_response[response_id]["overall"] = number
    loyalty = answers.filter(
        Q(question__code=REPURCHASE_CODE, question__type=QuestionType.SINGLE)
        | Q(question__code__in=cat.nps, question__type=QuestionType.NPS),
    ).values_list("response_id", "question__type", "number", "choices")
    for response_id, kind, number, choices in loyalty:
        if kind == QuestionType.NPS and number is not None:
            by_response[response_id]["nps"] = number
        elif kind == QuestionType.SINGLE and choices:
            by_response[response_id]["repurchase"] = str(choices[0])
    return _tabulate(by_response.values(), capped)


def _empty_rows() -> tuple[LoyaltyRow, ...]:
    empty = Estimate.empty()
    return tuple(LoyaltyRow(level, 0, empty, empty, empty) for level in LEVELS)


def _tabulate(respondents, capped: bool) -> Loyalty:
    min_n = settings.MANYI_MIN_SAMPLE
    n = defaultdict(int)
    intent = defaultdict(lambda: [0, 0])  # level -> [yes, answered]
    recommend: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    total = 0
    for values in respondents:
        level = values.get("overall")
        if level not in LEVELS or not ("nps" in values or "repurchase" in values):
            continue
        total += 1
        n[level] += 1
        if "repurchase" in values:
            intent[level][0] += values["repurchase"] in INTENT_YES
            intent[level][1] += 1
        if "nps" in values:
            recommend[level][values["nps"]] += 1
    rows = tuple(
        LoyaltyRow(
            level=level,
            n=n[level],
            repurchase=proportion(*intent[level], min_n=min_n),
            nps_mean=mean(dict(recommend[level]), min_n=min_n),
            nps=nps(dict(recommend[level]), min_n=min_n).score,
        )
        for level in LEVELS
    )
    return Loyalty(rows, total, capped)
