"""Chart data for the dashboards, as plain JSON for `charts.js`.

The pages show every number in tables as well; these payloads only feed the pictures, so they
carry rounded values, labels already translated, and which points rest on too few answers.

Names (items, surveys, segments, teams, products, staff) go in as stored: plain text, never
escaped or marked up here. Templates hand the payloads over with `json_script` only, and
`charts.js` shows them as text."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.metrics.drivers import FIX_FIRST, KEEP_UP, LOW_PRIORITY, POSSIBLE_OVERKILL


def _round(value, digits: int = 1):
    return None if value is None else round(value, digits)


def trend_charts(points) -> dict:
    """One line chart per scale: the percentages (CSAT, CSI), NPS (−100 to 100) and CES
    (1 to 7). A period without answers is a gap (null), never joined across; each line has
    its 95 % interval as a band."""
    periods = [p.period.isoformat() for p in points]
    return {
        "percent": {
            "kind": "line",
            "x": periods,
            "unit": "%",
            # xgettext:no-python-format
            "interval_label": _("95 % interval"),
            "series": [
                line_series(_("CSAT (top-2-box %)"), [p.csat for p in points]),
                line_series(_("CSI (weighted %)"), [p.csi for p in points]),
            ],
        },
        "nps": {
            "kind": "line",
            "x": periods,
            "unit": "",
            # xgettext:no-python-format
            "interval_label": _("95 % interval"),
            "series": [line_series(_("NPS"), [p.nps for p in points])],
        },
        "ces": {
            "kind": "line",
            "x": periods,
            "unit": "",
            "digits": 2,
            # xgettext:no-python-format
            "interval_label": _("95 % interval"),
            "series": [line_series(_("CES (mean, 1–7)"), [p.ces for p in points], digits=2)],
        },
    }


def _with_intervals(estimates, digits: int = 1) -> dict:
    """Values and their 95 % interval ends, rounded, for bands and whiskers."""
    return {
        "values": [_round(e.value, digits) for e in estimates],
        "low": [_round(e.low, digits) for e in estimates],
        "high": [_round(e.high, digits) for e in estimates],
    }


def line_series(name: str, estimates, digits: int = 1) -> dict:
    return {
        "name": name,
        **_with_intervals(estimates, digits),
        "reliable": [e.reliable for e in estimates],
    }


def ranking_chart(analysis) -> dict:
    """Items least satisfied first, with their 95 % intervals and the target as a line."""
    rows = [r for r in analysis.rows if r.satisfaction.value is not None]
    return {
        "kind": "ranking",
        "labels": [r.name for r in rows],
        **_with_intervals([r.satisfaction for r in rows]),
        # xgettext:no-python-format
        "interval_label": _("95 % interval"),
        "below": [r.below_target for r in rows],
        "reliable": [r.satisfaction.reliable for r in rows],
        "target": analysis.target,
        "target_label": _("Target"),
        "name": _("Item satisfaction %"),
    }


def gap_chart(analysis) -> dict:
    rows = [r for r in analysis.rows if r.gap is not None]
    return {
        "kind": "bars",
        "labels": [r.name for r in rows],
        "unit": "",
        "series": [
            {"name": _("Expected"), "values": [_round(r.expected.value, 2) for r in rows]},
            {"name": _("Experienced"), "values": [_round(r.experienced.value, 2) for r in rows]},
            {"name": _("Gap"), "values": [_round(r.gap, 2) for r in rows]},
        ],
    }


QUADRANT_LABELS = {
    FIX_FIRST: gettext_lazy("fix first"),
    KEEP_UP: gettext_lazy("keep up"),
    LOW_PRIORITY: gettext_lazy("low priority"),
    POSSIBLE_OVERKILL: gettext_lazy("possible overkill"),
}


def quadrant_chart(analysis, importance: dict[str, float]) -> dict:
    """x = importance (derived share, else stated weight), y = satisfaction; the crosshair at
    the means, as `metrics.drivers.quadrants` places the points."""
    points = [
        {"name": r.name, "x": _round(importance[r.code] * 100), "y": _round(r.satisfaction.value)}
        for r in analysis.rows
        if r.code in importance and r.satisfaction.value is not None
    ]
    if not points:
        return {"kind": "quadrant", "points": []}
    return {
        "kind": "quadrant",
        "points": points,
        "x_cut": _round(sum(p["x"] for p in points) / len(points)),
        "y_cut": _round(sum(p["y"] for p in points) / len(points)),
        "x_name": _("Importance %"),
        "y_name": _("Satisfaction %"),
        "labels": {
            "top_right": str(QUADRANT_LABELS[KEEP_UP]),
            "bottom_right": str(QUADRANT_LABELS[FIX_FIRST]),
            "bottom_left": str(QUADRANT_LABELS[LOW_PRIORITY]),
            "top_left": str(QUADRANT_LABELS[POSSIBLE_OVERKILL]),
        },
    }


def _bar_series(name: str, estimates) -> dict:
    """A bar per group with its 95 % interval, drawn as a whisker."""
    return {"name": name, **_with_intervals(estimates)}


def breakdown_chart(rows) -> dict:
    return {
        "kind": "bars",
        "labels": [r["name"] for r in rows],
        "unit": "",
        # xgettext:no-python-format
        "interval_label": _("95 % interval"),
        "series": [
            _bar_series(_("CSAT %"), [r["row"].csat for r in rows]),
            _bar_series(_("NPS"), [r["row"].nps for r in rows]),
            _bar_series(_("CSI %"), [r["row"].csi for r in rows]),
        ],
    }
