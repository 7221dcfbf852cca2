"""Demo competitors, as bought from a yearly benchmark study."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg

from manyi.surveys.models import Answer, Dimension

from .answers import ITEM_MEAN
from .context import Context

# Two competitors from a yearly benchmark study: one stronger on price, one on service.
COMPETITOR_SCORES = {
    "竞品 A（价格领先）": {"price": 8, "delivery": 2, "product_quality": -4, "after_sales": -2},
    "竞品 B（服务领先）": {"service_attitude": 4, "after_sales": 9, "price": -5, "brand": 3},
}


def create_benchmarks(ctx: Context) -> None:
    """Competitors' item scores for the last year, near ours so that some differ and some
    don't: what a benchmark study bought from a market-research firm looks like."""
    from manyi.benchmarks.models import BenchmarkScore, Competitor

    if not ctx.sizes.responses:
        return
    start = (ctx.end - dt.timedelta(days=365)).astimezone(ctx.tz).date()
    end = (ctx.end - dt.timedelta(days=1)).astimezone(ctx.tz).date()
    dims = dict(Dimension.objects.values_list("code", "pk"))
    # Our own item satisfaction over the year, as the demo answers give it.
    ours = dict(
        Answer.objects.filter(
            question__code="items", response__submitted_at__gte=ctx.end - dt.timedelta(days=365)
        )
        .values_list("dimension__code")
        .annotate(mean=Avg("number"))
        .order_by()
    )
    rows = []
    for name, edges in COMPETITOR_SCORES.items():
        competitor = Competitor.objects.create(name=name, notes="2026 年度满意度对标调研")
        for code, mean in ITEM_MEAN.items():
            base = float(ours.get(code) or mean) / 5 * 100
            score = base + edges.get(code, 0) + ctx.rng.uniform(-1.5, 1.5)
            rows.append(
                BenchmarkScore(
                    competitor=competitor,
                    dimension_id=dims[code],
                    period_start=start,
                    period_end=end,
                    satisfaction=round(min(100.0, score), 1),
                    n=400,
                    source="年度对标调研（第三方）",
                )
            )
    BenchmarkScore.objects.bulk_create(rows)
    ctx.counts["competitors"] = len(COMPETITOR_SCORES)
