"""The action's timeline as chart data for `analytics/charts.js`: the metric for the group
the action touched and for its comparison group, with 95 % intervals, the windows' dates
and the target marked. Names go in as plain text (see `analytics.charts`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from manyi.analytics.charts import line_series

from .choices import Metric
from .measure import Timeline, group_name
from .models import Improvement


def timeline_chart(improvement: Improvement, line: Timeline, language: str) -> dict:
    treated = group_name(improvement, improvement.scope_value, language) or _("Everyone")
    series = [line_series(treated, line.treated, digits=2)]
    if line.comparison is not None:
        other = (
            group_name(improvement, improvement.comparison_value, language)
            if improvement.comparison_value
            else _("Everyone else")
        )
        series.append(line_series(other, line.comparison, digits=2))
    names = {
        "before": _("Before window"),
        "after": _("After window"),
        "end": _("After window ends"),
    }
    return {
        "kind": "line",
        "x": [start.isoformat() for start in line.starts],
        "unit": "%" if improvement.metric == Metric.CSAT else "",
        # xgettext:no-python-format
        "interval_label": _("95 % interval"),
        "series": series,
        "marks": [{"x": start.isoformat(), "name": names[what]} for what, start in line.marks],
        "target": None if improvement.target is None else float(improvement.target),
        "target_label": _("Target"),
    }
