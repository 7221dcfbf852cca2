"""Results of a survey asked in waves: each wave's CSAT, NPS and CES with 95 % intervals, and
the change against the wave before with its significance. One aggregate query (answers
counted per wave, score question and value), valid submitted responses only, scoped to what
the user may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from manyi.metrics import counts as mc
from manyi.metrics.scores import Estimate, ces, nps, proportion, top_boxes
from manyi.metrics.significance import TestResult, nps_change, two_proportion_z, welch_t
from manyi.surveys.choices import AnswerRole, ResponseStatus
from manyi.surveys.models import Answer, Response, Survey, SurveyWave

from .queries import catalogue


@dataclass(frozen=True)
class WaveRow:
    wave: SurveyWave
    responses: int
    csat: Estimate
    nps: Estimate
    ces: Estimate
    # Against the wave before (None for the first wave)
    csat_change: float | None = None
    csat_test: TestResult | None = None
    nps_change: float | None = None
    nps_test: TestResult | None = None
    ces_change: float | None = None
    ces_test: TestResult | None = None


def _delta(now: Estimate, before: Estimate) -> float | None:
    if now.value is None or before.value is None:
        return None
    return now.value - before.value


def wave_results(*, survey: Survey, user) -> list[WaveRow]:
    from django.conf import settings

    min_n = settings.MANYI_MIN_SAMPLE
    cat = catalogue([survey.pk])
    scale_of = {code: scale for scale, codes in cat.csat.items() for code in codes}
    kinds = {**dict.fromkeys(scale_of, "csat"), **dict.fromkeys(cat.nps, "nps")}
    kinds.update(dict.fromkeys(cat.ces, "ces"))
    responses = Response.objects.visible_to(user).filter(
        survey=survey, wave__isnull=False, status=ResponseStatus.SUBMITTED, is_valid=True
    )
    rows = (
        Answer.objects.filter(
            response__in=responses,
            question__code__in=list(kinds),
            dimension__isnull=True,
            role=AnswerRole.VALUE,
            number__isnull=False,
        )
        .values("response__wave_id", "question__code", "number")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # {wave: {"csat": {scale: counts}, "nps": counts, "ces": counts}}
    tallies: dict = defaultdict(lambda: {"csat": defaultdict(dict), "nps": {}, "ces": {}})
    for row in rows:
        code, value = row["question__code"], int(row["number"])
        tally = tallies[row["response__wave_id"]]
        kind = kinds[code]
        target = tally["csat"][scale_of[code]] if kind == "csat" else tally[kind]
        target[value] = target.get(value, 0) + row["n"]
    sizes = dict(
        responses.values("wave_id").annotate(n=Count("pk")).order_by().values_list("wave_id", "n")
    )
    results: list[WaveRow] = []
    previous = None
    for wave in survey.waves.order_by("number"):
        tally = tallies.get(wave.pk, {"csat": {}, "nps": {}, "ces": {}})
        satisfied = total = 0
        for scale, counts in tally["csat"].items():
            s, n = mc.share(counts, top_boxes(scale))
            satisfied, total = satisfied + s, total + n
        score = nps(tally["nps"], min_n=min_n)
        effort = ces(tally["ces"], min_n=min_n)
        row = {
            "wave": wave,
            "responses": sizes.get(wave.pk, 0),
            "csat": proportion(satisfied, total, min_n=min_n),
            "nps": score.score,
            "ces": effort.mean,
        }
        parts = {
            "csat": (satisfied, total),
            "nps": (score.promoters, score.detractors, score.n),
            "ces": mc.moments(tally["ces"]),
        }
        if previous is not None:
            before, before_parts = previous
            row.update(
                csat_change=_delta(row["csat"], before["csat"]),
                csat_test=two_proportion_z(*before_parts["csat"], *parts["csat"]),
                nps_change=_delta(row["nps"], before["nps"]),
                nps_test=nps_change(before_parts["nps"], parts["nps"]),
                ces_change=_delta(row["ces"], before["ces"]),
                ces_test=welch_t(before_parts["ces"], parts["ces"]),
            )
        results.append(WaveRow(**row))
        previous = (row, parts)
    return results
