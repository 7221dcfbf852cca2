"""Our item satisfaction beside each competitor's, for one period. Our numbers come from
`analytics.figures.item_analysis` (the single source of survey numbers), scoped to the user."""

from __future__ import annotations

from dataclasses import dataclass

from manyi.analytics.figures import item_analysis
from manyi.analytics.queries import Filters
from manyi.metrics.scores import Estimate
from manyi.surveys.models import Dimension

from .comparison import Comparison, compare
from .models import BenchmarkScore, Competitor


@dataclass(frozen=True)
class Cell:
    score: BenchmarkScore | None
    comparison: Comparison | None


@dataclass(frozen=True)
class BenchmarkRow:
    code: str
    name: str
    ours: Estimate
    cells: tuple[Cell, ...]  # one per competitor, in the table's order


@dataclass(frozen=True)
class BenchmarkTable:
    competitors: tuple[Competitor, ...]
    rows: tuple[BenchmarkRow, ...]  # our least satisfied items first


def scores_for_period(filters: Filters) -> dict[tuple[int, str], BenchmarkScore]:
    """{(competitor id, item code): score} of the scores whose period overlaps the chosen
    one; when several do, the one ending latest."""
    scores = BenchmarkScore.objects.select_related("competitor", "dimension")
    if filters.until:
        scores = scores.filter(period_start__lte=filters.until)
    if filters.since:
        scores = scores.filter(period_end__gte=filters.since)
    chosen: dict[tuple[int, str], BenchmarkScore] = {}
    for score in scores.order_by("period_end", "period_start", "pk"):
        chosen[(score.competitor_id, score.dimension.code)] = score
    return chosen


def benchmark_table(filters: Filters, *, language: str) -> BenchmarkTable:
    """`filters` must already be scoped with `for_user`; competitor scores are not per team."""
    analysis = item_analysis(filters, language=language)
    competitors = tuple(Competitor.objects.all())
    chosen = scores_for_period(filters)
    ours = {row.code: (row.name, row.satisfaction) for row in analysis.rows}
    extra = {code for _competitor, code in chosen} - set(ours)
    for dimension in Dimension.objects.filter(code__in=extra):
        ours[dimension.code] = (dimension.name(language), Estimate.empty())
    order = [row.code for row in analysis.rows] + sorted(extra)
    rows = []
    for code in order:
        name, estimate = ours[code]
        cells = []
        for competitor in competitors:
            score = chosen.get((competitor.pk, code))
            comparison = None
            if score is not None:
                comparison = compare(
                    estimate.value,
                    estimate.low,
                    estimate.high,
                    float(score.satisfaction),
                    score.n,
                )
            cells.append(Cell(score, comparison))
        rows.append(BenchmarkRow(code, name, estimate, tuple(cells)))
    return BenchmarkTable(competitors, tuple(rows))
