"""The satisfaction report as an A4 PDF, with its charts drawn by reportlab.graphics.

Text is set in WenQuanYi Micro Hei (Apache-2.0), shipped with the project as a TrueType subset
covering GBK (every simplified and traditional character in common use), Latin, punctuation
and symbols (fonts/, see docs/adr/0004). ReportLab embeds the glyphs each PDF uses, so the
file looks the same in every viewer and needs no font of the reader's; the font's own Latin
glyphs (from Droid Sans) keep English text evenly spaced."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import (
    STATE_DEFAULTS,
    Circle,
    Drawing,
    Line,
    PolyLine,
    Rect,
    String,
)
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from manyi.metrics.scores import Estimate

from .build import QUADRANT_LABELS, SatisfactionReport

FONT = "ManyiSans"
FONT_FILE = Path(__file__).parent / "fonts" / "ManyiSans-WQYMicroHei-GBK.ttf"
pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
_GLYPHS = frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)
# Drawings start each chart in ReportLab's default font (Helvetica, never embedded): ours.
STATE_DEFAULTS["fontName"] = FONT

BRAND = colors.HexColor("#0b6e4f")
LINE = colors.HexColor("#d9e0e7")
MUTED = colors.HexColor("#808080")
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=11, textColor=MUTED)
TITLE = ParagraphStyle("title", parent=BODY, fontSize=18, leading=24, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=BODY, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=4)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=11)
NUM = ParagraphStyle("num", parent=CELL, alignment=TA_RIGHT)
WIDTH = A4[0] - 36 * mm


def _safe(text) -> str:
    """The text with any character the font lacks (an emoji, a rare ideograph outside GBK)
    drawn as "?" instead of an empty box. Line breaks and tabs pass."""
    text = str(text)
    if all(ord(ch) in _GLYPHS or ch in "\n\t" for ch in text):
        return text
    return "".join(ch if ord(ch) in _GLYPHS or ch in "\n\t" else "?" for ch in text)


def _p(text, style=BODY) -> Paragraph:
    return Paragraph(escape(_safe(text)).replace("\n", "<br/>"), style)


def _num(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _interval(e: Estimate, digits: int = 1) -> str:
    if e.low is None or e.high is None:
        return "—"
    return f"{e.low:.{digits}f} - {e.high:.{digits}f}"


def _table(
    rows: list[list], widths: list[float], grey_rows: set[int] = frozenset(), text_cols=(0,)
) -> Table:
    """A house-style table: the first row is the header; numbers align right; rows resting on
    too few answers are grey."""
    data = []
    for r, row in enumerate(rows):
        cells = []
        for i, cell in enumerate(row):
            style = CELL if i in text_cols else NUM
            if r in grey_rows:
                style = ParagraphStyle("grey", parent=style, textColor=MUTED)
            cells.append(_p(cell, style))
        data.append(cells)
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _headline(report: SatisfactionReport) -> Table:
    h = report.headline
    rows = [[_("Figure"), _("Estimate"), _("Interval (95 %)"), "n"]]
    grey = set()
    for label, e, digits in (
        (_("Satisfaction index CSI (%)"), h.csi, 1),
        (_("CSAT, top-2-box (%)"), h.csat, 1),
        (_("CSAT mean (1-5)"), h.csat_mean, 2),
        (_("NPS (-100 to +100)"), h.nps, 1),
        (_("CES mean (1-7)"), h.ces, 2),
    ):
        rows.append([label, _num(e.value, digits), _interval(e, digits), str(e.n)])
        if not e.reliable:
            grey.add(len(rows) - 1)
    return _table(rows, [WIDTH * 0.4, WIDTH * 0.2, WIDTH * 0.28, WIDTH * 0.12], grey)


def _sample(report: SatisfactionReport) -> Table:
    s = report.sample
    rows = [
        [_("Sample"), ""],
        [_("Invitations delivered"), str(s.delivered)],
        [_("Answered after invitation"), str(s.answered)],
        [_("Response rate (%)"), _num(s.response_rate)],
        [_("Responses submitted"), str(s.submitted)],
        [_("Valid responses"), str(s.valid)],
        [_("Valid rate (%)"), _num(s.valid_rate)],
    ]
    return _table(rows, [WIDTH * 0.6, WIDTH * 0.4])


def _items(report: SatisfactionReport) -> Table:
    rows = [
        [
            _("Rank"), _("Evaluated item"), _("Weight"), _("Satisfaction (%)"),
            _("Interval (95 %)"), "n", _("Quadrant"),
        ]
    ]  # fmt: skip
    grey = set()
    for rank, r in enumerate(report.items.rows, start=1):
        s = r.satisfaction
        name = r.name + (" *" if r.below_target else "")
        rows.append(
            [
                str(rank), name, _num(r.weight, 2), _num(s.value), _interval(s), str(s.n),
                str(QUADRANT_LABELS.get(r.quadrant, "")),
            ]
        )  # fmt: skip
        if not s.reliable:
            grey.add(len(rows) - 1)
    widths = [WIDTH * f for f in (0.07, 0.25, 0.09, 0.15, 0.18, 0.08, 0.18)]
    return _table(rows, widths, grey, text_cols=(1, 6))


GOOD = colors.HexColor("#0b6e4f")
BAD = colors.HexColor("#b42318")
PASSIVE = colors.HexColor("#9aa5b1")
INK = colors.HexColor("#1d2733")


def _legend(drawing: Drawing, x: float, y: float, entries) -> None:
    """Coloured squares with their labels, left to right from (x, y)."""
    for colour, label in entries:
        drawing.add(Rect(x, y, 7, 7, fillColor=colour, strokeColor=None))
        text = _safe(label)
        drawing.add(String(x + 10, y + 0.5, text, fontName=FONT, fontSize=7.5, fillColor=INK))
        x += 22 + pdfmetrics.stringWidth(text, FONT, 7.5)


def _trend_chart(report: SatisfactionReport) -> Drawing | None:
    """CSAT and CSI by period, each point with its 95 % interval as a whisker; the line breaks
    where a period has no answers."""
    points = list(report.trend)
    series = [
        (_("CSAT, top-2-box (%)"), GOOD, [p.csat for p in points]),
        (_("Satisfaction index CSI (%)"), colors.HexColor("#2f6fb0"), [p.csi for p in points]),
    ]
    if not points or not any(e.value is not None for _n, _c, es in series for e in es):
        return None
    height, left, bottom, top = 150, 30, 30, 20
    plot_w, plot_h = WIDTH - left - 10, height - bottom - top
    drawing = Drawing(WIDTH, height)
    values = [v for _n, _c, es in series for e in es for v in (e.low, e.high) if v is not None]
    low = max(0, (min(values) // 10) * 10)
    high = min(100, (max(values) // 10 + 1) * 10)
    span = max(high - low, 10)

    def y(value):
        return bottom + (value - low) / span * plot_h

    step = plot_w / max(len(points), 1)

    def x(i):
        return left + step * (i + 0.5)

    for tick in range(int(low), int(low + span) + 1, 10):
        drawing.add(Line(left, y(tick), left + plot_w, y(tick), strokeColor=LINE, strokeWidth=0.4))
        drawing.add(String(left - 3, y(tick) - 2.5, f"{tick}", fontName=FONT, fontSize=6.5,
                           fillColor=MUTED, textAnchor="end"))  # fmt: skip
    every = max(1, len(points) // 8)
    for i, p in enumerate(points):
        if i % every == 0:
            drawing.add(String(x(i), bottom - 12, p.period.strftime("%Y-%m-%d"), fontName=FONT,
                               fontSize=6.5, fillColor=MUTED, textAnchor="middle"))  # fmt: skip
    for k, (_name, colour, estimates) in enumerate(series):
        shift = (k - 0.5) * 3  # the two series side by side, whiskers apart
        run: list[float] = []
        for i, e in enumerate(estimates):
            if e.value is None:
                if len(run) >= 4:
                    drawing.add(PolyLine(run, strokeColor=colour, strokeWidth=1.2))
                run = []
                continue
            cx = x(i) + shift
            if e.low is not None and e.high is not None:
                drawing.add(Line(cx, y(e.low), cx, y(e.high), strokeColor=colour, strokeWidth=0.8))
            drawing.add(Circle(cx, y(e.value), 1.8, fillColor=colour, strokeColor=None))
            run += [cx, y(e.value)]
        if len(run) >= 4:
            drawing.add(PolyLine(run, strokeColor=colour, strokeWidth=1.2))
    _legend(drawing, left, height - 10, [(c, n) for n, c, _e in series])
    # xgettext:no-python-format
    drawing.add(String(WIDTH, height - 9.5, _safe(_("Whiskers: 95 % interval")), fontName=FONT,
                       fontSize=7, fillColor=MUTED, textAnchor="end"))  # fmt: skip
    return drawing


def _nps_chart(report: SatisfactionReport) -> Drawing | None:
    """Detractors, passives and promoters as one bar of 100 %."""
    promoters, detractors, n = report.headline.nps_parts
    if not n:
        return None
    passives = n - promoters - detractors
    parts = [
        (_("Detractors (0-6)"), detractors, BAD),
        (_("Passives (7-8)"), passives, PASSIVE),
        (_("Promoters (9-10)"), promoters, GOOD),
    ]
    drawing = Drawing(WIDTH, 46)
    x, bar_y, bar_h = 0.0, 14, 16
    for _label, count, colour in parts:
        width = WIDTH * count / n
        if width > 0:
            drawing.add(Rect(x, bar_y, width, bar_h, fillColor=colour, strokeColor=colors.white))
            if width > 30:
                drawing.add(String(x + width / 2, bar_y + 5, f"{count / n * 100:.0f}%",
                                   fontName=FONT, fontSize=7.5, fillColor=colors.white,
                                   textAnchor="middle"))  # fmt: skip
        x += width
    _legend(drawing, 0, 0, [(c, f"{label}: {count}") for label, count, c in parts])
    drawing.add(String(0, 36, _safe(_("NPS %(score)s, n = %(n)d") % {
        "score": _num(report.headline.nps.value), "n": n}), fontName=FONT, fontSize=8,
        fillColor=INK))  # fmt: skip
    return drawing


def _chart(report: SatisfactionReport) -> Drawing | None:
    """Horizontal bars of item satisfaction, least satisfied at the top, red below the target
    and green at or above it, each with its 95 % interval, and the target as a line."""
    scored = [r for r in report.items.rows if r.satisfaction.value is not None]
    if not scored:
        return None
    bar = 14
    height = bar * len(scored) + 52
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 95, 32  # room below for the axis labels and the legend
    chart.width, chart.height = WIDTH - 130, bar * len(scored)
    # Categories are drawn bottom-up: reverse so the least satisfied item is on top.
    ordered = list(reversed(scored))
    chart.data = [[r.satisfaction.value for r in ordered]]
    chart.categoryAxis.categoryNames = [r.name for r in ordered]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = GOOD
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    for i, r in enumerate(ordered):
        chart.bars[(0, i)].fillColor = BAD if r.below_target else GOOD
        if not r.satisfaction.reliable:
            chart.bars[(0, i)].fillColor = colors.HexColor(
                "#e3a8a3" if r.below_target else "#b7c4bf"
            )
    chart.barLabels.dx = 26  # right of the whisker
    drawing.add(chart)
    for i, r in enumerate(ordered):
        s = r.satisfaction
        if s.low is None or s.high is None:
            continue
        cy = chart.y + chart.height * (i + 0.5) / len(ordered)
        x1 = chart.x + chart.width * s.low / 100
        x2 = chart.x + chart.width * s.high / 100
        drawing.add(Line(x1, cy, x2, cy, strokeColor=INK, strokeWidth=0.8))
        for end in (x1, x2):
            drawing.add(Line(end, cy - 2.5, end, cy + 2.5, strokeColor=INK, strokeWidth=0.8))
    target_x = chart.x + chart.width * report.items.target / 100
    drawing.add(
        Line(target_x, chart.y - 4, target_x, chart.y + chart.height + 4, strokeColor=colors.red)
    )
    label = _("target %(target).0f %%") % {"target": report.items.target}
    drawing.add(
        String(target_x, chart.y + chart.height + 7, label, fontName=FONT, fontSize=7,
               fillColor=colors.red, textAnchor="middle")
    )  # fmt: skip
    _legend(drawing, 0, 2, [(GOOD, _("at or above the target")), (BAD, _("below the target"))])
    return drawing


def _gaps(report: SatisfactionReport) -> Table:
    rows = [[_("Evaluated item"), _("Expected (mean)"), _("Experienced (mean)"), _("Gap"), "n"]]
    for r in report.gaps:
        rows.append(
            [
                r.name, _num(r.expected.value, 2), _num(r.experienced.value, 2),
                f"{r.gap:+.2f}", str(r.experienced.n),
            ]
        )  # fmt: skip
    w = WIDTH
    return _table(rows, [w * 0.34, w * 0.18, w * 0.2, w * 0.14, w * 0.14])


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(18 * mm, 10 * mm, _safe(doc.title))
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
    canvas.restoreState()


def report_pdf(report: SatisfactionReport) -> bytes:
    buffer = io.BytesIO()
    title = f"{report.title} {report.since} ~ {report.until}"
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=18 * mm, title=title, author="manyi",
        initialFontName=FONT,  # else each page starts in Helvetica, a font not embedded
    )  # fmt: skip
    story = [
        _p(_("Satisfaction report"), SMALL),
        _p(report.title, TITLE),
        _p(_("Period: %(since)s ~ %(until)s") % {"since": report.since, "until": report.until}),
        _p(
            _("Generated %(when)s")
            % {"when": timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")},
            SMALL,
        ),
        _p(_("Method"), H2),
        _p(report.method.text),
        Spacer(1, 6),
        _sample(report),
        _p(_("Overall results"), H2),
        _headline(report),
        _p(
            _("Grey figures rest on fewer than %(min)d answers and are indicative only.")
            % {"min": report.min_sample},
            SMALL,
        ),
        _p(_("Findings"), H2),
        *[_p("- " + sentence) for sentence in report.findings],
    ]
    trend = _trend_chart(report)
    if trend is not None:
        story += [_p(_("Trend"), H2), trend]
    nps_bar = _nps_chart(report)
    if nps_bar is not None:
        story += [_p(_("Promoters, passives and detractors"), H2), nps_bar]
    story += [
        _p(_("Item scores and ranking"), H2),
        _p(_("Least satisfied first; * below the target."), SMALL),
    ]
    if report.items.rows:
        story.append(_items(report))
        chart = _chart(report)
        if chart is not None:
            story += [Spacer(1, 8), chart]
    else:
        story.append(_p(_("No item scores in this period."), SMALL))
    if report.gaps:
        story += [_p(_("Expectation vs. experience"), H2), _gaps(report)]
    story.append(_p(_("Open comments"), H2))
    if report.comments_cut:
        story.append(
            _p(
                _("The latest %(shown)d of %(total)s comments; all of them are in the Excel "
                  "export.")
                % {"shown": len(report.comments), "total": report.comments_total_label},
                SMALL,
            )
        )  # fmt: skip
    if report.comments:
        for c in report.comments:
            when = timezone.localtime(c.submitted_at).strftime("%Y-%m-%d")
            story.append(_p(f"{when} · {c.question}", SMALL))
            story.append(_p(c.text))
            story.append(Spacer(1, 3))
    else:
        story.append(_p(_("No comments in this period."), SMALL))
    story.append(_p(_("Recommendations"), H2))
    if report.recommendations.strip():
        story.append(_p(report.recommendations))
    else:
        story.append(
            _p(_("No recommendations written for this period yet. Suggested from the figures:"),
               SMALL)
        )  # fmt: skip
        story += [_p("- " + suggestion) for suggestion in report.suggested]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
